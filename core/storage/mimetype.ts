// Media types of uploaded files are decided here from the bytes themselves. The Content-Type a
// client sends is whatever its library guessed (often application/octet-stream) and can be forged
// to get a page served as HTML, so it is never used. Binary formats are recognised by file-type;
// text formats have no magic number, so for them the extension decides once the bytes look like text.
import { fileTypeFromBuffer } from 'file-type';
import { lookupTable } from '../lookup-table.ts';

/** How much of the start of a file sniffing looks at. Zip-based formats need more than a few KB. */
export const SNIFF_BYTES = 64 * 1024;

export const OCTET_STREAM = 'application/octet-stream';

// Text formats by extension. file-type cannot tell these apart (most have no signature at all).
const TEXT_TYPES = lookupTable({
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  tab: 'text/tab-separated-values',
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  asc: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  json: 'application/json',
  topojson: 'application/json',
  geojson: 'application/geo+json',
  jsonld: 'application/ld+json',
  ndjson: 'application/x-ndjson',
  jsonl: 'application/x-ndjson',
  xml: 'application/xml',
  xsd: 'application/xml',
  xsl: 'application/xslt+xml',
  xslt: 'application/xslt+xml',
  kml: 'application/vnd.google-earth.kml+xml',
  gpx: 'application/gpx+xml',
  gml: 'application/gml+xml',
  rdf: 'application/rdf+xml',
  owl: 'application/rdf+xml',
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  ttl: 'text/turtle',
  n3: 'text/n3',
  nt: 'application/n-triples',
  nq: 'application/n-quads',
  trig: 'application/trig',
  sparql: 'application/sparql-query',
  rq: 'application/sparql-query',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  sql: 'application/sql',
  wkt: 'text/plain',
  prj: 'text/plain',
  ics: 'text/calendar',
  vcf: 'text/vcard',
  vtt: 'text/vtt',
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  svg: 'image/svg+xml',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
});

// Generic containers whose flavour only the name tells: file-type knows a zip, an OLE compound file
// or an SQLite database, not that it is a KMZ, an old Excel workbook or a GeoPackage.
const CONTAINER_FLAVOURS = lookupTable<Readonly<Record<string, string>>>({
  'application/zip': lookupTable({
    kmz: 'application/vnd.google-earth.kmz',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ods: 'application/vnd.oasis.opendocument.spreadsheet',
    odt: 'application/vnd.oasis.opendocument.text',
  }),
  'application/x-cfb': lookupTable({
    xls: 'application/vnd.ms-excel',
    doc: 'application/msword',
    ppt: 'application/vnd.ms-powerpoint',
  }),
  'application/x-sqlite3': lookupTable({
    gpkg: 'application/geopackage+sqlite3',
  }),
});

/**
 * The media type of a file from its first bytes (`head`, ideally SNIFF_BYTES of them) and its name.
 * Binary signatures win; a file with no signature is text only if its bytes say so, and then its
 * extension picks the text type. Anything else is application/octet-stream.
 */
export async function sniffMimetype(head: Uint8Array, filename: string): Promise<string> {
  const extension = extensionOf(filename);
  const textType = TEXT_TYPES[extension];
  const detected = await detect(head);

  if (detected) {
    if (isXml(detected) && textType && isXml(textType)) return textType;
    const flavour = CONTAINER_FLAVOURS[detected]?.[extension];
    if (flavour) return flavour;
    // Some signatures are two printable letters ("BM" is a bitmap, "MZ" a Windows program) or a
    // UTF-16 byte-order mark (FF FE reads as an MPEG audio frame), so a CSV that starts with them
    // would otherwise be served as an image or a song.
    if (textType && !isXml(detected) && isPlainText(head)) return textType;
    return detected;
  }
  if (!looksLikeText(head)) return OCTET_STREAM;
  return textType ?? 'text/plain';
}

async function detect(head: Uint8Array): Promise<string | undefined> {
  if (head.length === 0) return undefined;
  try {
    return (await fileTypeFromBuffer(head))?.mime;
  } catch {
    // A truncated container (the head of a big zip) can throw; that is "not recognised", not an error.
    return undefined;
  }
}

function isXml(mimetype: string): boolean {
  return mimetype === 'application/xml' || mimetype === 'text/xml' || mimetype.endsWith('+xml');
}

/**
 * The cheap test the architecture asks for: text has no NUL bytes. UTF-16 with a byte-order mark is
 * full of NULs yet is text, and legacy Vietnamese encodings (TCVN3, VNI, Windows-1258) are not
 * UTF-8 yet are text too, so validity of UTF-8 is not required here.
 */
export function looksLikeText(head: Uint8Array): boolean {
  if (hasUtf16Bom(head)) return true;
  return !head.includes(0);
}

function hasUtf16Bom(head: Uint8Array): boolean {
  return head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
}

// The stricter test used to overrule a binary signature: a byte-order mark, or no control
// characters at all besides tab, line feed, form feed and carriage return. Real binary headers are
// full of small integers and zeros; text, in any 8-bit encoding, has none of them.
function isPlainText(head: Uint8Array): boolean {
  if (hasUtf16Bom(head) || (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)) return true;
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) return false;
    if (byte === 0x7f) return false;
  }
  return true;
}

export function isTextMimetype(mimetype: string): boolean {
  const base = mimetype.split(';')[0].trim().toLowerCase();
  return (
    base.startsWith('text/') ||
    base.endsWith('+xml') ||
    base.endsWith('+json') ||
    [
      'application/json',
      'application/xml',
      'application/x-ndjson',
      'application/n-triples',
      'application/n-quads',
      'application/trig',
      'application/sparql-query',
      'application/yaml',
      'application/sql',
      'application/javascript',
    ].includes(base)
  );
}

/** Lower-case extension without the dot; "" when there is none. Query strings and fragments are ignored. */
export function extensionOf(urlOrFilename: string): string {
  let path = urlOrFilename.split(/[?#]/)[0];
  path = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = path.lastIndexOf('.');
  return dot > 0 ? path.slice(dot + 1).toLowerCase() : '';
}

/** The media type an extension usually means, for URLs we never download; null when unknown. */
export function mimetypeFromExtension(urlOrFilename: string): string | null {
  const extension = extensionOf(urlOrFilename);
  return TEXT_TYPES[extension] ?? BINARY_TYPES[extension] ?? null;
}

const BINARY_TYPES = lookupTable({
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  tar: 'application/x-tar',
  rar: 'application/vnd.rar',
  '7z': 'application/x-7z-compressed',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odt: 'application/vnd.oasis.opendocument.text',
  odp: 'application/vnd.oasis.opendocument.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  kmz: 'application/vnd.google-earth.kmz',
  gpkg: 'application/geopackage+sqlite3',
  shp: 'application/x-esri-shape',
  dbf: 'application/x-dbf',
  nc: 'application/x-netcdf',
  parquet: 'application/vnd.apache.parquet',
  mdb: 'application/x-msaccess',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
});

// CKAN-style format labels (the short names of ckan/config/resource_formats.json), keyed by media type.
const FORMAT_BY_MIMETYPE = lookupTable({
  'text/csv': 'CSV',
  'text/tab-separated-values': 'TSV',
  'text/plain': 'TXT',
  'text/markdown': 'Markdown',
  'application/json': 'JSON',
  'application/geo+json': 'GeoJSON',
  'application/ld+json': 'JSON-LD',
  'application/x-ndjson': 'NDJSON',
  'application/xml': 'XML',
  'text/xml': 'XML',
  'application/xslt+xml': 'XSLT',
  'application/vnd.google-earth.kml+xml': 'KML',
  'application/vnd.google-earth.kmz': 'KMZ',
  'application/gpx+xml': 'GPX',
  'application/gml+xml': 'GML',
  'application/rdf+xml': 'RDF',
  'application/rss+xml': 'RSS',
  'application/atom+xml': 'Atom Feed',
  'text/turtle': 'TTL',
  'text/n3': 'N3',
  'application/n-triples': 'N-Triples',
  'application/n-quads': 'N-Quads',
  'application/trig': 'TriG',
  'application/sparql-query': 'SPARQL',
  'application/yaml': 'YAML',
  'application/sql': 'SQL',
  'text/calendar': 'ICS',
  'text/html': 'HTML',
  'application/xhtml+xml': 'HTML',
  'image/svg+xml': 'SVG',
  'text/css': 'CSS',
  'text/javascript': 'JS',
  'application/javascript': 'JS',
  'application/pdf': 'PDF',
  'application/zip': 'ZIP',
  'application/gzip': 'GZ',
  'application/x-tar': 'TAR',
  'application/vnd.rar': 'RAR',
  'application/x-rar-compressed': 'RAR',
  'application/x-7z-compressed': '7Z',
  'application/vnd.ms-excel': 'XLS',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
  'application/msword': 'DOC',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.ms-powerpoint': 'PPT',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PPTX',
  'application/vnd.oasis.opendocument.spreadsheet': 'ODS',
  'application/vnd.oasis.opendocument.text': 'ODT',
  'application/vnd.oasis.opendocument.presentation': 'ODP',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WEBP',
  'image/tiff': 'TIFF',
  'image/bmp': 'BMP',
  'application/x-esri-shape': 'SHP',
  'application/x-dbf': 'dBase',
  'application/geopackage+sqlite3': 'GPKG',
  'application/x-sqlite3': 'SQLite',
  'application/x-netcdf': 'NetCDF',
  'application/netcdf': 'NetCDF',
  'application/vnd.apache.parquet': 'Parquet',
  'application/x-msaccess': 'MDB',
  'application/octet-stream': 'BIN',
  'audio/mpeg': 'MP3',
  'video/mp4': 'MP4',
});

/** Every format label above, by its lower-case spelling. */
export const FORMAT_LABELS: ReadonlyMap<string, string> = new Map(Object.values(FORMAT_BY_MIMETYPE).map((label) => [label.toLowerCase(), label]));

/** The CKAN format label for a media type ("text/csv" → "CSV"); null when there is no usual label. */
export function formatFromMimetype(mimetype: string): string | null {
  const base = mimetype.split(';')[0].trim().toLowerCase();
  return FORMAT_BY_MIMETYPE[base] ?? null;
}

/**
 * The CKAN format label a URL or file name suggests by its extension ("data.geojson" → "GeoJSON",
 * "https://x/report.XLSX?dl=1" → "XLSX"); null when the extension means nothing to us. CKAN itself
 * falls back to the guessed media type; callers may do the same with mimetypeFromExtension.
 */
export function guessFormat(urlOrFilename: string): string | null {
  const mimetype = mimetypeFromExtension(urlOrFilename);
  return mimetype ? formatFromMimetype(mimetype) : null;
}
