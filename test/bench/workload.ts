// The benchmark's data: realistic Vietnamese datasets with 5 resources each.

export const AGENCIES = ['so-tai-chinh', 'so-y-te', 'so-giao-duc-va-dao-tao', 'so-giao-thong-van-tai', 'so-tai-nguyen-va-moi-truong', 'so-nong-nghiep', 'cuc-thong-ke', 'so-xay-dung'];
export const WORDS = ['dân số', 'trường học', 'bệnh viện', 'ngân sách', 'giao thông', 'môi trường', 'nông nghiệp', 'du lịch', 'doanh nghiệp', 'đất đai', 'thủy sản', 'lao động'];
const FORMATS = ['CSV', 'XLSX', 'JSON', 'PDF', 'GeoJSON'];

export function datasetBody(i: number, owner: string) {
  const word = WORDS[i % WORDS.length];
  const other = WORDS[(i * 7 + 3) % WORDS.length];
  return {
    name: `bo-du-lieu-${i}`,
    title: `Dữ liệu ${word} và ${other} số ${i}`,
    notes: `Bộ dữ liệu về ${word} trên địa bàn tỉnh, cập nhật hằng năm. Liên quan: ${other}.`,
    owner_org: owner,
    license_id: i % 3 ? 'vn-let-43' : 'cc-by',
    tags: [{ name: word }, { name: other }, { name: `nam-${2020 + (i % 5)}` }],
    extras: [
      { key: 'tan_suat_cap_nhat', value: 'Hằng năm' },
      { key: 'linh_vuc', value: word },
    ],
    resources: FORMATS.map((format, r) => ({
      name: `Tệp ${r + 1} (${format})`,
      url: `https://opendata.example.gov.vn/${i}/file-${r}.${format.toLowerCase()}`,
      format,
      description: `Số liệu ${word}`,
    })),
  };
}
