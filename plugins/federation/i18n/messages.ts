// Messages a person reads (validation errors, sync errors, README examples), in English and
// Vietnamese. A CKAN field error carries one string, so it shows "English / Tiếng Việt".
export interface Msg {
  en: string;
  vi: string;
}

export const msg = (en: string, vi: string): Msg => ({ en, vi });

export function both(message: Msg): string {
  return message.en === message.vi ? message.en : `${message.en} / ${message.vi}`;
}

export const M = {
  cursorMalformed: msg('Invalid cursor: pass back the cursor a previous call returned, unchanged', 'Con trỏ không hợp lệ: hãy gửi lại nguyên vẹn con trỏ mà lần gọi trước trả về'),
  cursorForeign: (instance: string) =>
    msg(`This cursor was issued by another Kho instance (${instance}); start again without a cursor`, `Con trỏ này do một máy chủ Kho khác cấp (${instance}); hãy bắt đầu lại không kèm con trỏ`),
  limitRange: (max: number) => msg(`Must be an integer between 1 and ${max}`, `Phải là số nguyên từ 1 đến ${max}`),
  pageParam: msg('Page param must be a positive integer starting in 1', 'Tham số page phải là số nguyên dương, bắt đầu từ 1'),
  modifiedSince: msg('Wrong modified date format. Use ISO-8601 format', 'Sai định dạng ngày sửa đổi. Hãy dùng định dạng ISO-8601'),
  unknownFormat: (format: string) => msg(`Unknown format "${format}": use rdf, xml, ttl, n3 or jsonld`, `Định dạng "${format}" không được hỗ trợ: dùng rdf, xml, ttl, n3 hoặc jsonld`),
  missing: msg('Missing value', 'Thiếu giá trị'),
};
