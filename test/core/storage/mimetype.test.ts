import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { formatFromMimetype, guessFormat, isTextMimetype, sniffMimetype } from '../../../core/storage/mimetype.ts';
import { VIETNAMESE_CSV, pdfBytes, pngBytes, xlsxBytes, zipBytes } from './sample-files.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('sniffMimetype', () => {
  it('recognises binary formats by their signature, whatever the name says', async () => {
    expect(await sniffMimetype(pngBytes(), 'image.png')).to.equal('image/png');
    expect(await sniffMimetype(pngBytes(), 'not-really.csv')).to.equal('image/png');
    expect(await sniffMimetype(pdfBytes(), 'report.pdf')).to.equal('application/pdf');
    expect(await sniffMimetype(pdfBytes(), 'report')).to.equal('application/pdf');
    expect(await sniffMimetype(zipBytes([['a.txt', 'hello']]), 'archive.zip')).to.equal('application/zip');
    expect(await sniffMimetype(xlsxBytes(), 'bang-tinh.xlsx')).to.equal(XLSX);
    expect(await sniffMimetype(xlsxBytes(), 'no-extension')).to.equal(XLSX);
  });

  it('lets the name pick the flavour of a generic container', async () => {
    const kmz = zipBytes([['doc.kml', '<?xml version="1.0"?><kml/>']]);
    expect(await sniffMimetype(kmz, 'ban-do.kmz')).to.equal('application/vnd.google-earth.kmz');
  });

  it('types text files by extension', async () => {
    const csv = Buffer.from(VIETNAMESE_CSV, 'utf8');
    expect(await sniffMimetype(csv, 'Danh sách trường học 2024.csv')).to.equal('text/csv');
    expect(await sniffMimetype(csv, 'data.tsv')).to.equal('text/tab-separated-values');
    expect(await sniffMimetype(Buffer.from('{"a": 1}'), 'x.json')).to.equal('application/json');
    expect(await sniffMimetype(Buffer.from('{"type": "FeatureCollection", "features": []}'), 'x.geojson')).to.equal('application/geo+json');
    expect(await sniffMimetype(Buffer.from('key: value\n'), 'config.yml')).to.equal('application/yaml');
    expect(await sniffMimetype(Buffer.from('# Tiêu đề\n'), 'README.md')).to.equal('text/markdown');
    expect(await sniffMimetype(Buffer.from('<s> <p> <o> .\n'), 'triples.nt')).to.equal('application/n-triples');
    expect(await sniffMimetype(Buffer.from('@prefix ex: <http://example.org/> .\n'), 'data.ttl')).to.equal('text/turtle');
    expect(await sniffMimetype(Buffer.from('just words'), 'notes')).to.equal('text/plain');
    expect(await sniffMimetype(Buffer.alloc(0), 'empty.csv')).to.equal('text/csv');
  });

  it('keeps the specific type of XML documents', async () => {
    const xml = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<root/>');
    expect(await sniffMimetype(xml, 'data.xml')).to.equal('application/xml');
    expect(await sniffMimetype(xml, 'map.kml')).to.equal('application/vnd.google-earth.kml+xml');
    expect(await sniffMimetype(xml, 'track.gpx')).to.equal('application/gpx+xml');
    expect(await sniffMimetype(xml, 'picture.svg')).to.equal('image/svg+xml');
    expect(await sniffMimetype(xml, 'data.bin')).to.equal('application/xml');
  });

  it('does not call a binary file text because of its name', async () => {
    const binary = Buffer.concat([Buffer.from('id,name\n'), Buffer.from([0, 1, 2, 3, 0, 255]), randomBytes(64)]);
    expect(await sniffMimetype(binary, 'data.csv')).to.equal('application/octet-stream');
    expect(await sniffMimetype(binary, 'data.txt')).to.equal('application/octet-stream');
  });

  it('keeps text that happens to start like a binary signature', async () => {
    // "BM" is the bitmap signature and "MZ" the Windows executable one.
    expect(await sniffMimetype(Buffer.from('BMI,chiều cao,cân nặng\n22,170,64\n'), 'bmi.csv')).to.equal('text/csv');
    expect(await sniffMimetype(Buffer.from('MZ,Mã\n1,2\n'), 'codes.csv')).to.equal('text/csv');
  });

  it('accepts text in UTF-16 with a BOM and in legacy 8-bit encodings', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Tên,Tuổi\nAn,30\n', 'utf16le')]);
    expect(await sniffMimetype(utf16, 'utf16.csv')).to.equal('text/csv');
    // Windows-1258 bytes are not UTF-8 but are text.
    const cp1258 = Buffer.from([0x48, 0xe0, 0x20, 0x4e, 0xf4, 0x27, 0x69, 0x2c, 0x31, 0x0a]);
    expect(await sniffMimetype(cp1258, 'legacy.csv')).to.equal('text/csv');
  });

  it('ignores a name that claims a binary format for plain text', async () => {
    expect(await sniffMimetype(Buffer.from('<html><script>alert(1)</script></html>'), 'photo.png')).to.equal('text/plain');
  });
});

describe('format labels', () => {
  it('maps media types to CKAN format labels', () => {
    expect(formatFromMimetype('text/csv')).to.equal('CSV');
    expect(formatFromMimetype('text/csv; charset=utf-8')).to.equal('CSV');
    expect(formatFromMimetype('application/json')).to.equal('JSON');
    expect(formatFromMimetype(XLSX)).to.equal('XLSX');
    expect(formatFromMimetype('application/pdf')).to.equal('PDF');
    expect(formatFromMimetype('application/zip')).to.equal('ZIP');
    expect(formatFromMimetype('application/geo+json')).to.equal('GeoJSON');
    expect(formatFromMimetype('application/xml')).to.equal('XML');
    expect(formatFromMimetype('application/x-unknown')).to.equal(null);
  });

  it('guesses a format from a URL or file name', () => {
    expect(guessFormat('Danh sách.csv')).to.equal('CSV');
    expect(guessFormat('https://example.org/files/ranh-gioi.geojson?download=1#top')).to.equal('GeoJSON');
    expect(guessFormat('REPORT.XLSX')).to.equal('XLSX');
    expect(guessFormat('data.kml')).to.equal('KML');
    expect(guessFormat('https://example.org/api/data')).to.equal(null);
    expect(guessFormat('file.weird')).to.equal(null);
    expect(guessFormat('.csv')).to.equal(null);
  });

  it('knows which types are text', () => {
    expect(isTextMimetype('text/csv')).to.equal(true);
    expect(isTextMimetype('application/geo+json')).to.equal(true);
    expect(isTextMimetype('application/vnd.google-earth.kml+xml')).to.equal(true);
    expect(isTextMimetype('image/png')).to.equal(false);
    expect(isTextMimetype('application/octet-stream')).to.equal(false);
  });
});
