// IHarvester: what a harvester provides (ckanext-harvest's interface, in stages). The framework does
// everything else — jobs, objects, identity, names, hashing, writing through the dataset actions,
// deletions, errors — so a harvester only lists records and turns one record into a package dict.
import type { Logger } from 'pino';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import type { Cradle } from '../../../core/container.ts';
import type { Msg } from '../i18n/messages.ts';
import type { ConfigSpec } from '../schemas/config-spec.ts';
import type { HarvestHttp } from '../services/http.ts';

export interface HarvesterInfo {
  name: string;
  title: string;
  description: string;
  /** ckanext-harvest's hint for its form: the config is edited as text (JSON). */
  form_config_interface: 'Text';
}

export interface SourceView {
  id: string;
  name: string;
  title: string;
  url: string;
  type: string;
  owner_org: string | null;
  frequency: string;
  /** The validated config, secrets included. */
  config: Record<string, any>;
}

export interface JobView {
  id: string;
  created: string;
}

/** The last job of this source that finished without any error (for incremental harvesting). */
export interface PreviousJob {
  id: string;
  /** Naive UTC ISO. */
  gather_started: string;
}

/** One record of the source as the gather stage found it. */
export interface GatheredRecord {
  /** The remote identifier: identity is (source, guid). */
  guid: string;
  /** The record itself, when the listing carries it (CKAN search results, DCAT graphs, data.json). */
  content?: unknown;
  /** Otherwise, where the fetch stage gets it. */
  fetchUrl?: string;
  /** What the listing said about the record, for a fetch stage that completes it. */
  summary?: unknown;
  /** The source's modification date of the record, if it says. */
  remoteModified?: string | null;
  /** A link to the record at the source (shown as provenance). */
  originalUrl?: string | null;
}

interface StageContext<C> {
  source: SourceView;
  job: JobView;
  config: C;
  http: HarvestHttp;
  signal: AbortSignal;
  services: Cradle;
  logger: Logger;
  /** A warning in the job report (gather stage, or the record's object in later stages). */
  warn(message: Msg): void;
}

export interface GatherContext<C = any> extends StageContext<C> {
  previousJob: PreviousJob | null;
  /** The plugin's defaults for options a source config did not set. */
  defaults: { pageSize: number; maxPages: number };
  /** Guids present at the source that are not yielded for processing (incremental gathers). */
  seen(guids: string[]): void;
  /** The listing is not the whole source (filtered or partial): nothing may be deleted. */
  incomplete(reason: Msg): void;
  /**
   * The listing carries only what changed (a change feed): records it does not list are kept, and
   * only the records passed to removed() are deleted.
   */
  incremental(): void;
  /** The source says these records are gone (tombstones of a change feed). */
  removed(guids: string[]): void;
}

export interface ImportContext<C = any> extends StageContext<C> {
  /** Acting as the site, ignoring auth: for lookups (group_show, organization_show) and creating groups. */
  actions: ActionContext;
  /** Memory shared by all records of the job (lookups, remote groups). */
  cache: Map<string, unknown>;
}

export interface IHarvester<C = any> {
  info: HarvesterInfo;
  /** The options of `config` for this harvester (common options are added by the framework). */
  config: ConfigSpec;
  /** Headers sent with every request of a job (credentials from the config). */
  headers?(config: C): Record<string, string>;
  /** Checks that need the database (groups, users exist); returns messages for `config`. */
  validateConfig?(config: C, context: ActionContext): Promise<string[]>;
  /** List the source, a batch (page) at a time. A thrown error is a gather error. */
  gather(context: GatherContext<C>): AsyncIterable<GatheredRecord[]>;
  /** Get the record's content when the listing did not carry it. */
  fetch?(record: GatheredRecord, context: ImportContext<C>): Promise<unknown>;
  /**
   * The package dict for one record (package_show form: tags and extras as lists of dicts). Null when
   * the harvester dealt with the record itself and nothing is to be written for it (the federation
   * plugin's duplicates): the object is reported "not modified".
   */
  import(record: GatheredRecord & { content: unknown }, context: ImportContext<C>): Promise<DataDict | null>;
  /** Bumped when the mapping changes, so unchanged records are written again once. */
  version: number;
}
