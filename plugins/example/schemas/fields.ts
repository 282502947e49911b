import type { FieldDeclaration } from '../../../core/validation/fields.ts';

export function themeField(required: boolean): FieldDeclaration {
  return {
    field_name: 'example_theme',
    label: { vi: 'Chủ đề', en: 'Theme' },
    type: 'select',
    required,
    facet: true,
    choices: [
      { value: 'giao-duc', label: { vi: 'Giáo dục', en: 'Education' } },
      { value: 'y-te', label: { vi: 'Y tế', en: 'Health' } },
      { value: 'giao-thong', label: { vi: 'Giao thông', en: 'Transport' } },
    ],
  };
}

export const agencyCodeField: FieldDeclaration = {
  field_name: 'example_code',
  label: { vi: 'Mã cơ quan', en: 'Agency code' },
  type: 'text',
  validators: ['strip_value'],
};
