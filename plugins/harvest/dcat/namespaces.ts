// RDF vocabularies used by the DCAT ↔ CKAN mapping.

const ns = (base: string) => (local: string) => base + local;

export const RDF = ns('http://www.w3.org/1999/02/22-rdf-syntax-ns#');
export const RDFS = ns('http://www.w3.org/2000/01/rdf-schema#');
export const XSD = ns('http://www.w3.org/2001/XMLSchema#');
export const DCAT = ns('http://www.w3.org/ns/dcat#');
export const DCT = ns('http://purl.org/dc/terms/');
export const FOAF = ns('http://xmlns.com/foaf/0.1/');
export const VCARD = ns('http://www.w3.org/2006/vcard/ns#');
export const ADMS = ns('http://www.w3.org/ns/adms#');
export const OWL = ns('http://www.w3.org/2002/07/owl#');
export const SKOS = ns('http://www.w3.org/2004/02/skos/core#');
export const SPDX = ns('http://spdx.org/rdf/terms#');
export const SCHEMA = ns('http://schema.org/');
export const HYDRA = ns('http://www.w3.org/ns/hydra/core#');
export const LOCN = ns('http://www.w3.org/ns/locn#');
export const DCATAP = ns('http://data.europa.eu/r5r/');
export const TIME = ns('http://www.w3.org/2006/time#');
export const GSP = ns('http://www.opengis.net/ont/geosparql#');

export const PREFIXES: Record<string, string> = {
  rdf: RDF(''),
  rdfs: RDFS(''),
  xsd: XSD(''),
  dcat: DCAT(''),
  dct: DCT(''),
  foaf: FOAF(''),
  vcard: VCARD(''),
  adms: ADMS(''),
  owl: OWL(''),
  skos: SKOS(''),
  spdx: SPDX(''),
  schema: SCHEMA(''),
  hydra: HYDRA(''),
  locn: LOCN(''),
  dcatap: DCATAP(''),
};
