// RDF/XML output (ckanext-dcat's default format, and what most CKAN harvesters ask for). n3 and
// jsonld write Turtle, N-Triples and JSON-LD but not RDF/XML, so this is a small, flat writer: one
// rdf:Description per subject, blank nodes by rdf:nodeID, which every RDF/XML parser reads.
import type { Quad } from 'n3';

const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (text: string) => escapeText(text).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
// XML 1.0 cannot carry most control characters at all, even escaped.
const xmlSafe = (text: string) => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');

export function toRdfXml(quads: Quad[], prefixes: Record<string, string>): string {
  const namespaces = new Map<string, string>(Object.entries(prefixes).map(([prefix, iri]) => [iri, prefix]));
  namespaces.set(RDF_NS, 'rdf');
  let generated = 0;
  const qname = (iri: string): string => {
    const cut = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1;
    let ns = iri.slice(0, cut);
    let local = iri.slice(cut);
    if (!NCNAME.test(local)) {
      // A predicate must be a QName: split where the local part becomes a valid name.
      const start = local.search(/[A-Za-z_][A-Za-z0-9_.-]*$/);
      if (start < 0) throw new Error(`Cannot write predicate <${iri}> in RDF/XML`);
      ns += local.slice(0, start);
      local = local.slice(start);
    }
    if (!namespaces.has(ns)) namespaces.set(ns, `ns${++generated}`);
    return `${namespaces.get(ns)}:${local}`;
  };
  const nodeId = (label: string) => `b${label.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
  const subjectAttr = (term: Quad["subject"]) => (term.termType === "BlankNode" ? `rdf:nodeID="${nodeId(term.value)}"` : `rdf:about="${escapeAttr(term.value)}"`);
  const bySubject = new Map<string, Quad[]>();
  for (const quad of quads) {
    const key = `${quad.subject.termType}:${quad.subject.value}`;
    const list = bySubject.get(key);
    if (list) list.push(quad);
    else bySubject.set(key, [quad]);
  }
  const body: string[] = [];
  for (const list of bySubject.values()) {
    body.push(`  <rdf:Description ${subjectAttr(list[0].subject)}>`);
    for (const quad of list) {
      const name = qname(quad.predicate.value);
      const object = quad.object;
      if (object.termType === 'NamedNode') body.push(`    <${name} rdf:resource="${escapeAttr(object.value)}"/>`);
      else if (object.termType === 'BlankNode') body.push(`    <${name} rdf:nodeID="${nodeId(object.value)}"/>`);
      else {
        const literal = object as Quad['object'] & { language: string; datatype: { value: string } };
        const attr = literal.language
          ? ` xml:lang="${escapeAttr(literal.language)}"`
          : literal.datatype && literal.datatype.value !== 'http://www.w3.org/2001/XMLSchema#string'
            ? ` rdf:datatype="${escapeAttr(literal.datatype.value)}"`
            : '';
        body.push(`    <${name}${attr}>${escapeText(xmlSafe(literal.value))}</${name}>`);
      }
    }
    body.push('  </rdf:Description>');
  }
  const decls = [...namespaces.entries()].map(([iri, prefix]) => `\n    xmlns:${prefix}="${escapeAttr(iri)}"`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF${decls}>\n${body.join('\n')}\n</rdf:RDF>\n`;
}
