// CKAN normalises resource formats through ckan/config/resource_formats.json (clean_format →
// unified_resource_format): "csv", "text/csv" and ".csv" all become "CSV". The media types, extensions
// and labels are the storage layer's (core/storage/mimetype.ts); this adds the spellings people type.
import { extensionOf, FORMAT_LABELS, formatFromMimetype, guessFormat, mimetypeFromExtension } from '../../storage/mimetype.ts';
import { lookupTable } from '../../lookup-table.ts';

const ALIASES = lookupTable({
  'comma separated values': 'CSV',
  excel: 'XLS',
  text: 'TXT',
  md: 'Markdown',
  turtle: 'TTL',
  jpg: 'JPEG',
  shapefile: 'SHP',
  'esri shapefile': 'SHP',
  geotiff: 'TIFF',
  'web map service': 'WMS',
  wms: 'WMS',
  'web feature service': 'WFS',
  wfs: 'WFS',
  api: 'API',
  'rest api': 'API',
});

/** unified_resource_format: the canonical label, or the text unchanged when unknown. */
export function cleanFormat(format: string): string {
  const trimmed = format.trim();
  const key = trimmed.toLowerCase().replace(/^\./, '');
  return (
    ALIASES[key] ??
    FORMAT_LABELS.get(key) ??
    formatFromMimetype(key) ??
    (/^[a-z0-9]{1,10}$/.test(key) ? guessFormat(`file.${key}`) : null) ??
    trimmed
  );
}

/** if_empty_guess_format: the format implied by a URL's or file name's extension. */
export function guessFormatFromUrl(urlOrName: string): string | null {
  return extensionOf(urlOrName) ? guessFormat(urlOrName) : null;
}

/** CKAN's mimetype guess for link resources (mimetypes.guess_type on the URL). */
export function guessMimetypeFromUrl(urlOrName: string): string | null {
  return mimetypeFromExtension(urlOrName);
}
