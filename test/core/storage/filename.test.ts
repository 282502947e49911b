import { expect } from 'chai';
import { asciiFallback, contentDisposition, sanitizeFilename } from '../../../core/storage/filename.ts';

describe('sanitizeFilename', () => {
  it('keeps only the base name, whatever the separator', () => {
    expect(sanitizeFilename('../../etc/passwd')).to.equal('passwd');
    expect(sanitizeFilename('..\\..\\win.ini')).to.equal('win.ini');
    expect(sanitizeFilename('C:\\Users\\an\\Desktop\\báo cáo.xlsx')).to.equal('báo cáo.xlsx');
    expect(sanitizeFilename('/abs/path/data.csv')).to.equal('data.csv');
    expect(sanitizeFilename('folder/')).to.equal('folder');
  });

  it('refuses . and .. and never returns an empty name', () => {
    for (const name of ['.', '..', '', '   ', '/', '\\', '../..', '...', '\u0000', '\u202e']) {
      expect(sanitizeFilename(name), JSON.stringify(name)).to.equal('upload');
    }
    expect(sanitizeFilename(undefined)).to.equal('upload');
  });

  it('removes control and invisible characters', () => {
    expect(sanitizeFilename('da\u0000ta.csv')).to.equal('data.csv');
    expect(sanitizeFilename('a\nb\r\tc.txt')).to.equal('a b c.txt');
    expect(sanitizeFilename('invoice\u202Egpj.exe')).to.equal('invoicegpj.exe');
    expect(sanitizeFilename('\uFEFFdata.csv')).to.equal('data.csv');
    expect(sanitizeFilename('x\u007f\u0080y.txt')).to.equal('xy.txt');
  });

  it('replaces characters Windows forbids and collapses whitespace', () => {
    expect(sanitizeFilename('a<b>c:d"e|f?g*h.csv')).to.equal('a_b_c_d_e_f_g_h.csv');
    expect(sanitizeFilename('  many    spaces\u00a0here .csv  ')).to.equal('many spaces here .csv');
    expect(sanitizeFilename('trailing dots...')).to.equal('trailing dots');
    expect(sanitizeFilename('CON.csv')).to.equal('_CON.csv');
    expect(sanitizeFilename('console.csv')).to.equal('console.csv');
  });

  it('keeps Vietnamese names readable and in NFC', () => {
    expect(sanitizeFilename('Danh sách trường học 2024.csv')).to.equal('Danh sách trường học 2024.csv');
    const decomposed = 'Danh sách trường học 2024.csv'.normalize('NFD');
    expect(sanitizeFilename(decomposed)).to.equal('Danh sách trường học 2024.csv'.normalize('NFC'));
    expect(sanitizeFilename('Đề án – Bộ GD&ĐT (bản 2).pdf')).to.equal('Đề án – Bộ GD&ĐT (bản 2).pdf');
  });

  it('limits the length in bytes and keeps the extension', () => {
    const long = 'a'.repeat(500) + '.csv';
    const clean = sanitizeFilename(long);
    expect(Buffer.byteLength(clean)).to.be.at.most(200);
    expect(clean.endsWith('.csv')).to.equal(true);

    const vietnamese = 'Thống kê dân số '.repeat(40) + '.xlsx';
    const short = sanitizeFilename(vietnamese);
    expect(Buffer.byteLength(short)).to.be.at.most(200);
    expect(short.endsWith('.xlsx')).to.equal(true);
    expect(short).to.equal(short.normalize('NFC'));
    expect(short).not.to.match(/\uFFFD/);

    // A "extension" longer than a real one is not kept whole at the expense of the name.
    const oddDot = 'x.' + 'y'.repeat(300);
    expect(Buffer.byteLength(sanitizeFilename(oddDot))).to.be.at.most(200);
  });
});

describe('contentDisposition', () => {
  it('uses a plain filename for ASCII names', () => {
    expect(contentDisposition('data.csv', 'inline')).to.equal('inline; filename="data.csv"');
  });

  it('adds an ASCII fallback with the diacritics folded and a UTF-8 filename*', () => {
    const header = contentDisposition('Danh sách trường học 2024.csv');
    expect(header).to.equal(
      `attachment; filename="Danh sach truong hoc 2024.csv"; filename*=UTF-8''${encodeURIComponent('Danh sách trường học 2024.csv')}`,
    );
    expect(asciiFallback('Đường Đỗ Đức Dục.txt')).to.equal('Duong Do Duc Duc.txt');
  });

  it('never lets quotes, backslashes or line breaks into the header', () => {
    const header = contentDisposition('evil"; filename="x.html\r\nSet-Cookie: a=b');
    expect(header).not.to.match(/[\r\n]/);
    expect(header.match(/"/g)?.length).to.equal(2);
    expect(contentDisposition("Đi's (1)*.csv")).to.equal(`attachment; filename="Di's (1)_.csv"; filename*=UTF-8''%C4%90i%27s%20%281%29_.csv`);
  });

  it('falls back to "upload" when nothing ASCII is left', () => {
    expect(contentDisposition('数据.csv')).to.match(/^attachment; filename="upload\.csv"; filename\*=UTF-8''%E6%95%B0%E6%8D%AE\.csv$/);
  });
});
