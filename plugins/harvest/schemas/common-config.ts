// Source config options every harvester accepts; the framework applies them, not the harvesters.
import { msg } from '../i18n/messages.ts';
import type { ConfigSpec } from './config-spec.ts';

const tagList = (value: unknown) => {
  if (!Array.isArray(value)) return msg('must be a list', 'phải là một danh sách');
  const ok = value.every((item) => typeof item === 'string' || (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string'));
  return ok ? null : msg('must be a list of tag names or of {"name": …} dictionaries', 'phải là danh sách tên thẻ hoặc các đối tượng {"name": …}');
};

export const COMMON_CONFIG: ConfigSpec = {
  default_tags: {
    type: 'any',
    check: tagList,
    description: msg('Tags added to every harvested dataset.', 'Thẻ thêm vào mọi bộ dữ liệu thu thập được.'),
  },
  default_groups: {
    type: 'string[]',
    description: msg('Groups (names or ids, which must exist here) every harvested dataset is added to.', 'Nhóm (tên hoặc id, phải tồn tại) mà mọi bộ dữ liệu thu thập được được thêm vào.'),
  },
  default_extras: {
    type: 'object',
    check: (value: Record<string, unknown>) =>
      Object.values(value).every((item) => ['string', 'number', 'boolean'].includes(typeof item))
        ? null
        : msg('must map keys to strings', 'phải ánh xạ khóa sang chuỗi'),
    description: msg(
      'Extras added to every dataset; values may use {dataset_id}, {harvest_source_id}, {harvest_source_url}, {harvest_source_title}, {harvest_job_id}, {harvest_object_id}.',
      'Trường bổ sung thêm vào mọi bộ dữ liệu; giá trị có thể dùng {dataset_id}, {harvest_source_id}, {harvest_source_url}, {harvest_source_title}, {harvest_job_id}, {harvest_object_id}.',
    ),
  },
  override_extras: {
    type: 'boolean',
    description: msg('default_extras replace extras of the same key from the source.', 'default_extras thay thế trường bổ sung cùng khóa từ nguồn.'),
  },
  clean_tags: {
    type: 'boolean',
    description: msg('Turn tags into lowercase ASCII slugs (munge_tag); otherwise only invalid characters are replaced.', 'Chuyển thẻ thành chữ thường không dấu (munge_tag); nếu không chỉ thay các ký tự không hợp lệ.'),
  },
  not_overwrite_fields: {
    type: 'string[]',
    description: msg(
      'Fields (or extra keys) that keep their local value when a dataset is harvested again, e.g. ["notes", "groups", "theme"].',
      'Trường (hoặc khóa trường bổ sung) giữ giá trị sửa tại chỗ khi thu thập lại, ví dụ ["notes", "groups", "theme"].',
    ),
  },
  delete_mode: {
    type: 'enum',
    values: ['delete', 'mark', 'keep'],
    description: msg(
      'What happens to a dataset that disappeared from the source (only after a complete, error-free gather): delete it (default), mark it with the extra harvest_removed_from_source, or keep it.',
      'Xử lý bộ dữ liệu không còn ở nguồn (chỉ sau khi thu thập danh sách đầy đủ, không lỗi): xóa (mặc định), đánh dấu bằng trường harvest_removed_from_source, hoặc giữ nguyên.',
    ),
  },
  concurrency: {
    type: 'integer',
    min: 1,
    max: 64,
    description: msg('Records fetched and imported in parallel for this source.', 'Số bản ghi tải và nhập song song cho nguồn này.'),
  },
  write_batch: {
    type: 'integer',
    min: 1,
    max: 500,
    description: msg(
      'Most records written in one transaction; a batch that fails is written again record by record (1: every record alone).',
      'Số bản ghi tối đa ghi trong một giao dịch; lô bị lỗi được ghi lại từng bản ghi một (1: ghi từng bản ghi riêng).',
    ),
  },
  timeout: {
    type: 'integer',
    min: 1,
    max: 3600,
    description: msg('Timeout of each request to the source, in seconds.', 'Thời gian chờ mỗi yêu cầu tới nguồn, tính bằng giây.'),
  },
  retries: {
    type: 'integer',
    min: 0,
    max: 20,
    description: msg('Retries of a request answered with 429 or 5xx.', 'Số lần thử lại yêu cầu bị trả về 429 hoặc 5xx.'),
  },
  max_pages: {
    type: 'integer',
    min: 1,
    description: msg('Most pages read from the source in one job.', 'Số trang tối đa đọc từ nguồn trong một lần thu thập.'),
  },
  private: {
    type: 'boolean',
    description: msg('Create the harvested datasets as private.', 'Tạo các bộ dữ liệu thu thập được ở chế độ riêng tư.'),
  },
  user: {
    type: 'string',
    description: msg('Name of the user the datasets are created as.', 'Tên người dùng dùng để tạo các bộ dữ liệu.'),
  },
};
