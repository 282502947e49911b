// Validating real output against the official DCAT-AP 3.0.1 SHACL shapes (test/fixtures/dcat-ap-3.0.1)
// with rdf-validate-shacl.
import { readFileSync } from 'node:fs';
import Validator from 'rdf-validate-shacl';

const SHAPES_DIR = new URL('../../fixtures/dcat-ap-3.0.1/', import.meta.url);

let shapesPromise: Promise<import('n3').Store> | null = null;

export interface ShaclViolation {
  focus: string;
  path: string | null;
  message: string;
  severity: string;
}

export async function validateDcatAp(turtle: string): Promise<{ conforms: boolean; violations: ShaclViolation[] }> {
  const { Parser, Store } = await import('n3');
  shapesPromise ??= (async () => {
    const store = new Store();
    for (const file of ['dcat-ap-SHACL.ttl', 'ranges.ttl']) store.addQuads(new Parser().parse(readFileSync(new URL(file, SHAPES_DIR), 'utf8')));
    return store;
  })();
  const data = new Store(new Parser().parse(turtle));
  const validator = new Validator(await shapesPromise);
  const report = await validator.validate(data);
  const violations = report.results
    .map((r: any) => ({ focus: r.focusNode?.value, path: r.path?.value ?? null, message: r.message?.map((m: any) => m.value).join(' ') ?? '', severity: r.severity?.value?.split('#').pop() }))
    .filter((v: ShaclViolation) => v.severity === 'Violation');
  return { conforms: violations.length === 0, violations };
}
