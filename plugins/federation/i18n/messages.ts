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
  unknownProfiles: (names: string[]) =>
    msg(`Unknown RDF profiles: ${names.join(', ')}`, `Không có hồ sơ RDF: ${names.join(', ')} (dùng euro_dcat_ap_3 hoặc vn_dcat_ap)`),
  unknownFormat: (format: string) => msg(`Unknown format "${format}": use rdf, xml, ttl, n3 or jsonld`, `Định dạng "${format}" không được hỗ trợ: dùng rdf, xml, ttl, n3 hoặc jsonld`),
  missing: msg('Missing value', 'Thiếu giá trị'),
};

export const FEED = {
  notFeed: (url: string, detail: string) => msg(`${url} did not answer as a Kho change feed: ${detail}`, `${url} không trả lời như một luồng thay đổi Kho: ${detail}`),
  refused: (url: string, detail: string) => msg(`${url} refused the request: ${detail}`, `${url} từ chối yêu cầu: ${detail}`),
  repeated: (url: string) => msg(`${url} returned the same page again (its cursor did not move): stopped to avoid a loop`, `${url} trả lại đúng trang trước (con trỏ không tiến): dừng lại để tránh lặp vô hạn`),
  tooManyPages: (url: string, pages: number) => msg(`${url}: more than ${pages} pages in one job; the rest is read by the next job`, `${url}: hơn ${pages} trang trong một lần chạy; phần còn lại được đọc ở lần sau`),
};

export const MEMBER = {
  protocol: msg('Must be one of: kho_feed, ckan, dcat', 'Phải là một trong: kho_feed, ckan, dcat'),
  name: msg('Must be 2–60 characters: lowercase letters, digits, - and _', 'Phải dài 2–60 ký tự: chữ thường, chữ số, - và _'),
  url: msg('Must be an http(s) URL', 'Phải là một URL http(s)'),
  exists: msg('A member with this name already exists', 'Đã có thành viên với tên này'),
  notFound: msg('Member not found', 'Không tìm thấy thành viên'),
  sysadmin: msg('Only sysadmins may manage federation members', 'Chỉ quản trị hệ thống mới được quản lý thành viên liên thông'),
};

export const PUSH = {
  notConfigured: msg('Push is not configured: set federation.push_url (and push_token)', 'Chưa cấu hình đẩy dữ liệu: hãy đặt federation.push_url (và push_token)'),
  refused: (action: string, status: number, detail: string) =>
    msg(`The national portal answered ${action} with HTTP ${status}: ${detail}`, `Cổng quốc gia trả lời ${action} với HTTP ${status}: ${detail}`),
  notCkan: (action: string, status: number) =>
    msg(`The national portal did not answer ${action} as a CKAN Action API (HTTP ${status})`, `Cổng quốc gia không trả lời ${action} như một CKAN Action API (HTTP ${status})`),
  nameTaken: (name: string) =>
    msg(`The name "${name}" is taken at the national portal by a dataset that did not come from this site; rename one of them`, `Tên "${name}" ở cổng quốc gia đã thuộc một bộ dữ liệu không đến từ cổng này; hãy đổi tên một trong hai`),
  sysadmin: msg('Only sysadmins may push to or read the push state of the national portal', 'Chỉ quản trị hệ thống mới được đẩy dữ liệu lên hoặc xem trạng thái đẩy lên cổng quốc gia'),
  busy: msg('Another push is running; this one was skipped', 'Một lượt đẩy khác đang chạy; lượt này được bỏ qua'),
};
