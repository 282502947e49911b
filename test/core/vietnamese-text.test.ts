import { expect } from 'chai';
import { foldDiacritics, nfc, slugify } from '../../core/text/vietnamese.ts';

describe('Vietnamese text', () => {
  it('slugify turns agency and dataset titles into CKAN-valid names (đ → d, marks stripped)', () => {
    expect(slugify('Sở Tài nguyên và Môi trường')).to.equal('so-tai-nguyen-va-moi-truong');
    expect(slugify('Danh sách trường học')).to.equal('danh-sach-truong-hoc');
    expect(slugify('Đường Điện Biên Phủ, Đà Nẵng')).to.equal('duong-dien-bien-phu-da-nang');
    expect(slugify('Sở Lao động - Thương binh và Xã hội')).to.equal('so-lao-dong-thuong-binh-va-xa-hoi');
    expect(slugify('  Dữ liệu (2024)!  ')).to.equal('du-lieu-2024');
    expect(slugify('Hà Nội'.normalize('NFD'))).to.equal('ha-noi');
  });

  it('slugify keeps names within CKAN\'s 100 characters without a trailing dash', () => {
    const slug = slugify('Báo cáo tình hình thực hiện kế hoạch phát triển kinh tế xã hội '.repeat(4));
    expect(slug.length).to.be.at.most(100);
    expect(slug).to.match(/^[a-z0-9-]+[a-z0-9]$/);
  });

  it('foldDiacritics removes every Vietnamese mark and keeps case', () => {
    expect(foldDiacritics('Thành phố Hà Nội')).to.equal('Thanh pho Ha Noi');
    expect(foldDiacritics('ĐẮK LẮK')).to.equal('DAK LAK');
    expect(foldDiacritics('ậ ẳ ệ ở ự ỹ đ')).to.equal('a a e o u y d');
  });

  it('nfc composes decomposed input', () => {
    const decomposed = 'Việt Nam'.normalize('NFD');
    expect(decomposed.length).to.be.greaterThan('Việt Nam'.length);
    expect(nfc(decomposed)).to.equal('Việt Nam');
  });
});
