// The DCAT ↔ CKAN mapping as a service (`harvest.dcat` in the container), so the federation plugin,
// which depends on harvest, serves and reads DCAT with the same table instead of a copy of it.
import { ACCEPT_RDF, detectSyntax, parseRdf, syntaxFromName, RdfParseError, SYNTAX_NAMES } from './parse.ts';
import { datasetsFromGraph, formatLabel } from './to-ckan.ts';
import { datasetToQuads, serializeQuads } from './from-ckan.ts';
import { pagingInfo } from './hydra.ts';
import { licenseIdFor, licenseUriFor } from './licenses.ts';
import { AGENT_KEYS, DATASET_MAPPING, DISTRIBUTION_MAPPING, OTHER_KEYS } from './mapping.ts';
import { PREFIXES } from './namespaces.ts';

export const dcatService = {
  /** Accept header asking for any RDF syntax. */
  ACCEPT_RDF,
  SYNTAX_NAMES,
  detectSyntax,
  syntaxFromName,
  /** RDF text → N3 store (RDF/XML without entities, Turtle, JSON-LD with a safe context loader, N-Triples). */
  parseRdf,
  RdfParseError,
  /** N3 store → one package dict per dcat:Dataset. */
  datasetsFromGraph,
  /** Hydra paging of a catalogue page. */
  pagingInfo,
  /** Package dict → DCAT-AP quads, and quads → Turtle, N-Triples or JSON-LD. */
  datasetToQuads,
  serializeQuads,
  licenseIdFor,
  licenseUriFor,
  formatLabel,
  mapping: { dataset: DATASET_MAPPING, distribution: DISTRIBUTION_MAPPING, agents: AGENT_KEYS, other: OTHER_KEYS, prefixes: PREFIXES },
};

export type DcatService = typeof dcatService;
