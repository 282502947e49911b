// CKAN normalises resource formats through ckan/config/resource_formats.json (clean_format →
// unified_resource_format): "csv", "text/csv" and ".csv" all become "CSV". This is the subset of that
// table that open-data portals meet, with the same canonical labels; unknown formats pass unchanged.

interface FormatEntry {
  label: string;
  mimetypes: string[];
  extensions: string[];
  aliases?: string[];
}

const FORMATS: FormatEntry[] = [
  { label: 'CSV', mimetypes: ['text/csv', 'text/comma-separated-values'], extensions: ['csv'], aliases: ['comma separated values'] },
  { label: 'TSV', mimetypes: ['text/tab-separated-values'], extensions: ['tsv'] },
  { label: 'XLS', mimetypes: ['application/vnd.ms-excel'], extensions: ['xls'], aliases: ['excel'] },
  { label: 'XLSX', mimetypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], extensions: ['xlsx'] },
  { label: 'ODS', mimetypes: ['application/vnd.oasis.opendocument.spreadsheet'], extensions: ['ods'] },
  { label: 'JSON', mimetypes: ['application/json', 'text/json'], extensions: ['json'] },
  { label: 'GeoJSON', mimetypes: ['application/geo+json', 'application/vnd.geo+json'], extensions: ['geojson'] },
  { label: 'JSON-LD', mimetypes: ['application/ld+json'], extensions: ['jsonld'] },
  { label: 'XML', mimetypes: ['application/xml', 'text/xml'], extensions: ['xml'] },
  { label: 'RDF', mimetypes: ['application/rdf+xml'], extensions: ['rdf'] },
  { label: 'TTL', mimetypes: ['text/turtle'], extensions: ['ttl'], aliases: ['turtle'] },
  { label: 'N3', mimetypes: ['text/n3'], extensions: ['n3'] },
  { label: 'HTML', mimetypes: ['text/html'], extensions: ['html', 'htm'] },
  { label: 'TXT', mimetypes: ['text/plain'], extensions: ['txt'], aliases: ['text'] },
  { label: 'PDF', mimetypes: ['application/pdf'], extensions: ['pdf'] },
  { label: 'DOC', mimetypes: ['application/msword'], extensions: ['doc'] },
  { label: 'DOCX', mimetypes: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'], extensions: ['docx'] },
  { label: 'ODT', mimetypes: ['application/vnd.oasis.opendocument.text'], extensions: ['odt'] },
  { label: 'ZIP', mimetypes: ['application/zip', 'application/x-zip-compressed'], extensions: ['zip'] },
  { label: 'GZ', mimetypes: ['application/gzip', 'application/x-gzip'], extensions: ['gz'] },
  { label: 'KML', mimetypes: ['application/vnd.google-earth.kml+xml'], extensions: ['kml'] },
  { label: 'KMZ', mimetypes: ['application/vnd.google-earth.kmz'], extensions: ['kmz'] },
  { label: 'SHP', mimetypes: ['application/x-shapefile'], extensions: ['shp'], aliases: ['esri shapefile', 'shapefile'] },
  { label: 'GPX', mimetypes: ['application/gpx+xml'], extensions: ['gpx'] },
  { label: 'WMS', mimetypes: [], extensions: [], aliases: ['web map service'] },
  { label: 'WFS', mimetypes: [], extensions: [], aliases: ['web feature service'] },
  { label: 'API', mimetypes: [], extensions: [], aliases: ['rest api'] },
  { label: 'PNG', mimetypes: ['image/png'], extensions: ['png'] },
  { label: 'JPEG', mimetypes: ['image/jpeg'], extensions: ['jpg', 'jpeg'], aliases: ['jpg'] },
  { label: 'GIF', mimetypes: ['image/gif'], extensions: ['gif'] },
  { label: 'SVG', mimetypes: ['image/svg+xml'], extensions: ['svg'] },
  { label: 'TIFF', mimetypes: ['image/tiff'], extensions: ['tif', 'tiff'], aliases: ['geotiff'] },
  { label: 'PPTX', mimetypes: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'], extensions: ['pptx'] },
  { label: 'SQL', mimetypes: ['application/sql'], extensions: ['sql'] },
  { label: 'Parquet', mimetypes: ['application/vnd.apache.parquet'], extensions: ['parquet'] },
  { label: 'MD', mimetypes: ['text/markdown'], extensions: ['md'], aliases: ['markdown'] },
  { label: 'YAML', mimetypes: ['application/yaml', 'text/yaml'], extensions: ['yaml', 'yml'] },
];

const lookup = new Map<string, string>();
for (const entry of FORMATS) {
  for (const key of [entry.label, ...entry.mimetypes, ...entry.extensions, ...(entry.aliases ?? [])]) {
    lookup.set(key.toLowerCase(), entry.label);
  }
}
const byExtension = new Map<string, string>();
for (const entry of FORMATS) for (const ext of entry.extensions) byExtension.set(ext, entry.label);
const mimetypeByExtension = new Map<string, string>();
for (const entry of FORMATS) for (const ext of entry.extensions) if (entry.mimetypes[0]) mimetypeByExtension.set(ext, entry.mimetypes[0]);

/** unified_resource_format: the canonical label, or the text unchanged when unknown. */
export function cleanFormat(format: string): string {
  const trimmed = format.trim();
  return lookup.get(trimmed.toLowerCase().replace(/^\./, '')) ?? trimmed;
}

function extensionOf(urlOrName: string): string | null {
  let path = urlOrName;
  try {
    path = new URL(urlOrName).pathname;
  } catch {
    path = urlOrName.split(/[?#]/)[0];
  }
  const match = /\.([a-z0-9]{1,10})$/i.exec(decodeURIComponentSafe(path));
  return match ? match[1].toLowerCase() : null;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** if_empty_guess_format: the format implied by a URL's or file name's extension. */
export function guessFormatFromUrl(urlOrName: string): string | null {
  const ext = extensionOf(urlOrName);
  return ext ? (byExtension.get(ext) ?? null) : null;
}

/** CKAN's mimetype guess for link resources (mimetypes.guess_type on the URL). */
export function guessMimetypeFromUrl(urlOrName: string): string | null {
  const ext = extensionOf(urlOrName);
  return ext ? (mimetypeByExtension.get(ext) ?? null) : null;
}
