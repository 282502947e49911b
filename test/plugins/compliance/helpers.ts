// Shared fixtures of the compliance tests: an organization with a complete focal point, an agency
// editor, and datasets that pass the publish gates.
import type { TestServer, TestUser } from '../../helpers/server.ts';
import type { ApiClient } from '../../helpers/api-client.ts';

export const FOCAL_POINT = {
  contact_name: 'Nguyễn Thị Lan',
  contact_position: 'Chuyên viên Phòng Kế hoạch',
  contact_phone: '0256 3822 111',
  contact_email: 'lan@soyte.binhdinh.gov.vn',
};

export async function createOrganization(server: TestServer, name: string, extra: Record<string, unknown> = {}) {
  return server.admin.call('organization_create', { name, title: extra.title ?? name, ma_dinh_danh: extra.ma_dinh_danh ?? 'H12.15', ...FOCAL_POINT, ...extra });
}

/** A user who is an editor of the organization, with a client. */
export async function agencyEditor(server: TestServer, org: string, name = `bien-tap-${org}`): Promise<{ user: TestUser; client: ApiClient }> {
  const user = await server.createUser(name);
  await server.admin.call('organization_member_create', { id: org, username: user.name, role: 'editor' });
  return { user, client: server.client(user.token) };
}

/** The fields a dataset needs to pass the national publish gates. */
export const OPEN = {
  phan_loai_chia_se: 'mo',
  muc_do_quan_trong: 'khac',
  privacy_review: { result: 'no_personal_data' },
};

export function openDataset(name: string, org: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    title: extra.title ?? name,
    owner_org: org,
    ...OPEN,
    ky_cap_nhat: 'quarterly',
    resources: [{ url: `http://data.example.org/${name}.csv`, format: 'CSV', name: 'Dữ liệu' }],
    ...extra,
  };
}
