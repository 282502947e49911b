// Electronic identifier codes of agencies and organizations (Decision 20/2020/QĐ-TTg, Art. 3–6;
// vn-legal.md R1). Three families:
//  - state bodies: a level-1 code "MX1X2" (M a letter A–Y, X1X2 digits) followed by dot-separated
//    groups for each lower level, e.g. "H12", "H12.15", "H12.15.3A";
//  - other organizations: "Z" + a 2-digit scheme code + the code inside the scheme, no separator;
//  - enterprises: their enterprise (tax) code, 10 digits, or 10 digits "-" 3 digits for a branch.
// Every code is at most 35 characters of upper-case A–Z, digits and dots.
import { t, type Localized } from './i18n.ts';

export type CodeFamily = 'state' | 'other' | 'enterprise';

export interface CodeCheck {
  valid: boolean;
  family: CodeFamily | null;
  /** Level in the organization tree for state bodies (1 = ministry or province). */
  level: number | null;
  problem: Localized | null;
}

const STATE = /^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$/;
const OTHER = /^Z[0-9]{2}[0-9A-Z]+$/;
const ENTERPRISE = /^[0-9]{10}(-[0-9]{3})?$/;

export function checkOrganizationCode(raw: unknown, allow: readonly string[] = ['state', 'other', 'enterprise']): CodeCheck {
  if (typeof raw !== 'string' || !raw.trim()) return { valid: false, family: null, level: null, problem: t('Chưa có mã định danh điện tử', 'No electronic identifier code') };
  const code = raw.trim();
  const invalid = (problem: Localized): CodeCheck => ({ valid: false, family: null, level: null, problem });
  if (code.length > 35) return invalid(t(`Mã định danh dài ${code.length} ký tự, tối đa 35`, `The code is ${code.length} characters long; at most 35 are allowed`));
  if (/[a-z]/.test(code)) return invalid(t('Mã định danh chỉ dùng chữ in hoa A–Z, chữ số và dấu chấm', 'Codes use upper-case A–Z, digits and dots only'));
  if (!/^[0-9A-Z.-]+$/.test(code)) return invalid(t('Mã định danh chỉ gồm chữ in hoa A–Z, chữ số và dấu chấm', 'Codes use upper-case A–Z, digits and dots only'));
  let family: CodeFamily | null = null;
  let level: number | null = null;
  if (STATE.test(code)) {
    family = 'state';
    level = code.split('.').length;
  } else if (OTHER.test(code)) family = 'other';
  else if (ENTERPRISE.test(code)) family = 'enterprise';
  if (!family) {
    return invalid(
      t(
        `"${code}" không đúng cấu trúc mã định danh theo Quyết định 20/2020/QĐ-TTg (cơ quan nhà nước: chữ A–Y, 2 chữ số, các cấp cách nhau bằng dấu chấm, ví dụ H12.15; tổ chức khác: Z + 2 chữ số + mã; doanh nghiệp: mã số doanh nghiệp)`,
        `"${code}" is not an electronic identifier code under Decision 20/2020/QĐ-TTg (state bodies: a letter A–Y and 2 digits, levels separated by dots, e.g. H12.15; other organizations: Z + 2 digits + code; enterprises: the enterprise code)`,
      ),
    );
  }
  if (!allow.includes(family)) return invalid(t(`Loại mã "${family}" không được chấp nhận`, `Codes of the "${family}" family are not accepted`));
  return { valid: true, family, level, problem: null };
}

/** A lower-level state body's code extends its parent's: "H12.15" is below "H12". */
export function extendsParentCode(child: string, parent: string): boolean {
  return child.startsWith(parent + '.');
}
