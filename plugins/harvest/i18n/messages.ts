// Messages a person reads (job reports, CLI output, validation errors), in English and Vietnamese.
// Stored errors keep both (message, message_vi); a validation error shows "English / Tiếng Việt".

export interface Msg {
  en: string;
  vi: string;
}

export function msg(en: string, vi: string): Msg {
  return { en, vi };
}

/** "English / Tiếng Việt", for places that carry one string (CKAN's field errors). */
export function both(message: Msg): string {
  return message.en === message.vi ? message.en : `${message.en} / ${message.vi}`;
}

export function pick(message: Msg, locale: string): string {
  return locale.startsWith('vi') ? message.vi : message.en;
}

const clip = (text: string, max = 300) => (text.length > max ? text.slice(0, max) + '…' : text);

export const M = {
  // fetching
  httpStatus: (url: string, status: number, retries: number) =>
    msg(
      `${url} answered HTTP ${status}${retries ? ` (after ${retries} retr${retries === 1 ? 'y' : 'ies'})` : ''}`,
      `${url} trả về mã HTTP ${status}${retries ? ` (sau ${retries} lần thử lại)` : ''}`,
    ),
  htmlInstead: (url: string, expected: string, status: number, title: string | null) =>
    msg(
      `${url} sent an HTML page instead of ${expected} (HTTP ${status}${title ? `, page title "${clip(title, 120)}"` : ''})`,
      `${url} trả về một trang HTML thay vì ${expected} (HTTP ${status}${title ? `, tiêu đề trang "${clip(title, 120)}"` : ''})`,
    ),
  invalidJson: (url: string, detail: string) => msg(`${url} did not send valid JSON: ${clip(detail, 200)}`, `${url} không trả về JSON hợp lệ: ${clip(detail, 200)}`),
  invalidXml: (url: string, detail: string) => msg(`${url} did not send valid XML: ${clip(detail, 200)}`, `${url} không trả về XML hợp lệ: ${clip(detail, 200)}`),
  invalidRdf: (url: string, format: string, detail: string) =>
    msg(`${url} could not be read as ${format}: ${clip(detail, 200)}`, `Không đọc được ${url} theo định dạng ${format}: ${clip(detail, 200)}`),
  invalidCsv: (url: string, detail: string) => msg(`${url} could not be read as CSV: ${clip(detail, 200)}`, `Không đọc được ${url} dạng CSV: ${clip(detail, 200)}`),
  xmlEntities: (url: string) =>
    msg(`${url} declares XML entities (<!ENTITY>); they are refused for safety`, `${url} khai báo thực thể XML (<!ENTITY>); bị từ chối vì lý do an toàn`),
  timeout: (url: string, ms: number, retries: number) =>
    msg(
      `${url} did not answer within ${ms} ms${retries ? ` (after ${retries} retr${retries === 1 ? 'y' : 'ies'})` : ''}`,
      `${url} không trả lời trong ${ms} ms${retries ? ` (sau ${retries} lần thử lại)` : ''}`,
    ),
  tooLarge: (url: string, bytes: number) =>
    msg(`${url} sent more than the limit of ${bytes} bytes`, `${url} gửi quá giới hạn ${bytes} byte`),
  blocked: (url: string, reason: string) =>
    msg(`${url} was refused: ${reason}`, `${url} bị từ chối: địa chỉ không công khai (loopback, mạng riêng hoặc link-local); thêm vào net.allow_private_hosts nếu cần (${reason})`),
  invalidUrl: (url: string, reason: string) => msg(`${url} cannot be fetched: ${reason}`, `Không thể tải ${url}: ${reason}`),
  network: (url: string, rawDetail: string, retries: number) => {
    // The network error often names the URL itself; saying it twice helps nobody.
    const detail = rawDetail.startsWith(`${url}: `) ? rawDetail.slice(url.length + 2) : rawDetail;
    return msg(
      `${url} could not be reached: ${clip(detail, 200)}${retries ? ` (after ${retries} retr${retries === 1 ? 'y' : 'ies'})` : ''}`,
      `Không kết nối được ${url}: ${clip(detail, 200)}${retries ? ` (sau ${retries} lần thử lại)` : ''}`,
    );
  },
  retryAfterTooLong: (url: string, status: number, seconds: number) =>
    msg(
      `${url} answered HTTP ${status} and asked to retry after ${seconds} s, longer than the allowed wait`,
      `${url} trả về mã HTTP ${status} và yêu cầu chờ ${seconds} giây, lâu hơn mức cho phép`,
    ),
  pagingLoop: (url: string, previous: string) =>
    msg(
      `Paging does not advance: ${url} returned the same content as ${previous}; gathering stopped`,
      `Phân trang không tiến: ${url} trả về cùng nội dung với ${previous}; đã dừng thu thập`,
    ),
  pagingRepeatedUrl: (url: string) =>
    msg(`Paging loops back to a page already read (${url}); gathering stopped`, `Phân trang quay lại trang đã đọc (${url}); đã dừng thu thập`),
  tooManyPages: (url: string, max: number) =>
    msg(`More than ${max} pages at ${url}; gathering stopped (raise max_pages if the source is that large)`, `Quá ${max} trang tại ${url}; đã dừng thu thập (tăng max_pages nếu nguồn lớn như vậy)`),
  unexpectedShape: (url: string, detail: string) =>
    msg(`${url} did not answer as expected: ${clip(detail, 200)}`, `${url} trả lời không đúng cấu trúc mong đợi: ${clip(detail, 200)}`),

  // gather
  noDatasets: (url: string) => msg(`No datasets found at ${url}`, `Không tìm thấy bộ dữ liệu nào tại ${url}`),
  noDatasetsKept: (url: string, count: number) =>
    msg(
      `No datasets found at ${url}; the ${count} datasets harvested earlier were kept (an empty source is not taken as a deletion)`,
      `Không tìm thấy bộ dữ liệu nào tại ${url}; ${count} bộ dữ liệu đã thu thập trước đó được giữ lại (nguồn rỗng không được coi là đã xóa)`,
    ),
  incrementalFallback: (detail: string) =>
    msg(`Searching for changes since the last job failed (${clip(detail, 200)}); harvesting everything`, `Tìm thay đổi kể từ lần trước thất bại (${clip(detail, 200)}); thu thập toàn bộ`),
  deletionsSkipped: (reason: Msg, count: number) =>
    msg(
      `No dataset was deleted: ${reason.en} (${count} harvested earlier were not in the listing)`,
      `Không xóa bộ dữ liệu nào: ${reason.vi} (${count} bộ dữ liệu đã thu thập không có trong danh sách)`,
    ),
  deletionListIncomplete: msg('the source could not be listed completely', 'không liệt kê được toàn bộ nguồn'),
  deletionGatherErrors: msg('the gather stage had errors', 'giai đoạn thu thập danh sách có lỗi'),
  resumed: (lastHeartbeat: string | null, runner: string | null) =>
    msg(
      `The process running this job stopped (${runner ?? 'unknown'}, last heartbeat ${lastHeartbeat ?? 'never'}); the job was resumed and records already imported were kept`,
      `Tiến trình chạy lần thu thập này đã dừng (${runner ?? 'không rõ'}, tín hiệu cuối ${lastHeartbeat ?? 'chưa có'}); lần thu thập được tiếp tục và các bản ghi đã nhập được giữ nguyên`,
    ),
  workerDied: (lastHeartbeat: string | null, resumes: number) =>
    msg(
      `The process running this job stopped (last heartbeat ${lastHeartbeat ?? 'never'}) and it was already resumed ${resumes} times; the job was closed`,
      `Tiến trình chạy lần thu thập này đã dừng (tín hiệu cuối ${lastHeartbeat ?? 'chưa có'}) và đã được tiếp tục ${resumes} lần; lần thu thập được đóng lại`,
    ),
  timedOut: (minutes: number) =>
    msg(`The job ran longer than the limit of ${minutes} minutes and was aborted`, `Lần thu thập chạy quá giới hạn ${minutes} phút và đã bị hủy`),
  abortedBy: (who: string) => msg(`Aborted by ${who}`, `Bị hủy bởi ${who}`),
  sourceDeactivated: msg('The harvest source was deleted or deactivated', 'Nguồn thu thập đã bị xóa hoặc tắt'),
  internal: (detail: string) => msg(`Internal error: ${clip(detail, 500)}`, `Lỗi nội bộ: ${clip(detail, 500)}`),

  // import
  invalidDataset: (guid: string, errors: string) =>
    msg(`Invalid dataset with GUID ${guid}: ${clip(errors, 1000)}`, `Bộ dữ liệu không hợp lệ (GUID ${guid}): ${clip(errors, 1000)}`),
  nameCollision: (wanted: string, holder: Msg, used: string) =>
    msg(
      `The name "${wanted}" is taken by ${holder.en}; this dataset was named "${used}"`,
      `Tên "${wanted}" đã được dùng bởi ${holder.vi}; bộ dữ liệu này được đặt tên "${used}"`,
    ),
  nameHolderLocal: (name: string) => msg(`the local dataset "${name}"`, `bộ dữ liệu "${name}" tạo tại đây`),
  nameHolderHarvested: (name: string, source: string) => msg(`the dataset "${name}" harvested from ${source}`, `bộ dữ liệu "${name}" thu thập từ ${source}`),
  nameHolderOther: () => msg('another dataset', 'một bộ dữ liệu khác'),
  idCollision: (wanted: string, used: string) =>
    msg(
      `The remote id ${wanted} is already used by another local dataset; this dataset got the id ${used}`,
      `Mã ${wanted} đã được một bộ dữ liệu khác dùng; bộ dữ liệu này nhận mã ${used}`,
    ),
  missingGuid: msg('A record without an identifier was skipped', 'Bỏ qua một bản ghi không có mã định danh'),
  duplicateGuid: (guid: string) => msg(`The identifier ${guid} appears twice in the source; the second record was ignored`, `Mã ${guid} xuất hiện hai lần trong nguồn; bản ghi thứ hai bị bỏ qua`),
  remoteGroupMissing: (group: string) => msg(`Group ${group} does not exist here and was left out`, `Nhóm ${group} không có ở đây nên bị bỏ qua`),
  remoteOrgMissing: (org: string) =>
    msg(`Organization ${org} does not exist here; the source's organization was used`, `Tổ chức ${org} không có ở đây; dùng tổ chức của nguồn thu thập`),
  droppedTag: (tag: string) => msg(`The keyword "${clip(tag, 100)}" cannot be a tag and was left out`, `Từ khóa "${clip(tag, 100)}" không thể làm thẻ nên bị bỏ qua`),
  mappingError: (detail: string) => msg(`The record could not be mapped: ${clip(detail, 300)}`, `Không ánh xạ được bản ghi: ${clip(detail, 300)}`),
  deleteFailed: (detail: string) => msg(`Deleting the dataset failed: ${clip(detail, 300)}`, `Xóa bộ dữ liệu thất bại: ${clip(detail, 300)}`),

  // validation of sources
  unknownType: (type: string, known: string[]) =>
    msg(`Unknown harvester type: ${type} (available: ${known.join(', ')})`, `Loại bộ thu thập không tồn tại: ${type} (có: ${known.join(', ')})`),
  badFrequency: (value: string) =>
    msg(
      `Frequency ${value} not recognised (MANUAL, HOURLY, DAILY, WEEKLY, BIWEEKLY, MONTHLY, ALWAYS or a five-field cron expression)`,
      `Tần suất ${value} không hợp lệ (MANUAL, HOURLY, DAILY, WEEKLY, BIWEEKLY, MONTHLY, ALWAYS hoặc biểu thức cron 5 trường)`,
    ),
  duplicateSource: (url: string) =>
    msg(`There already is a Harvest Source for this URL (& config): ${url}`, `Đã có nguồn thu thập với URL (và cấu hình) này: ${url}`),
  badUrl: msg('Please provide a valid http or https URL', 'Vui lòng nhập URL http hoặc https hợp lệ'),
  configNotJson: (detail: string) =>
    msg(`Error parsing the configuration options: not a JSON object (${clip(detail, 120)})`, `Lỗi đọc cấu hình: không phải đối tượng JSON (${clip(detail, 120)})`),
  missingValue: msg('Missing value', 'Thiếu giá trị'),
  jobExists: msg('There already is an unrun or running job for this source', 'Nguồn này đã có một lần thu thập đang chờ hoặc đang chạy'),
  sourceInactive: msg('Can not create jobs on inactive sources', 'Không thể tạo lần thu thập cho nguồn đã tắt'),
};
