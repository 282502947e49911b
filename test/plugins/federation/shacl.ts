// Validating real output against the DCAT-AP 3.0.1 SHACL shapes (../shared/dcat-ap-3.0.1) with
// rdf-validate-shacl. The engine is a test dependency: taken from node_modules, else from the folder
// named by KHO_SHACL_MODULES (a node_modules folder where it is installed).
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SHAPES_DIR = [process.env.KHO_DCAT_AP_SHAPES, '/work/shared/dcat-ap-3.0.1', path.resolve('../shared/dcat-ap-3.0.1')].find((dir) => dir && existsSync(path.join(dir, 'dcat-ap-SHACL.ttl')));

async function loadEngine(): Promise<any | null> {
  try {
    return (await import('rdf-validate-shacl' as string)).default;
  } catch {
    const dir = process.env.KHO_SHACL_MODULES ?? '/tmp/kho-shacl/node_modules';
    try {
      const require = createRequire(path.join(dir, 'noop.js'));
      return (await import(pathToFileURL(require.resolve('rdf-validate-shacl')).href)).default;
    } catch {
      return null;
    }
  }
}

export async function shaclAvailable(): Promise<boolean> {
  return !!SHAPES_DIR && !!(await loadEngine());
}

let shapesPromise: Promise<unknown> | null = null;

export interface ShaclViolation {
  focus: string;
  path: string | null;
  message: string;
  severity: string;
}

export async function validateDcatAp(turtle: string): Promise<{ conforms: boolean; violations: ShaclViolation[] }> {
  const Validator = await loadEngine();
  if (!Validator || !SHAPES_DIR) throw new Error('rdf-validate-shacl or the DCAT-AP shapes are not available');
  const { Parser, Store } = await import('n3');
  shapesPromise ??= (async () => {
    const store = new Store();
    for (const file of ['dcat-ap-SHACL.ttl', 'ranges.ttl']) store.addQuads(new Parser().parse(readFileSync(path.join(SHAPES_DIR!, file), 'utf8')));
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
