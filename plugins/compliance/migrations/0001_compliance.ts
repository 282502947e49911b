// The compliance plugin's tables (prefix compliance_). Core tables are only read, through actions.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // What happened to each dataset that matters for its duties: publication state, open-data status
  // and data updates, at the platform's time. Written by the package hooks in the dataset's own
  // transaction, so the history exists exactly when the change does.
  await knex.schema.createTable('compliance_dataset_event', (t) => {
    t.bigIncrements('seq');
    t.text('package_id').notNullable();
    t.text('org_id');
    t.timestamp('at', { useTz: false }).notNullable();
    t.text('kind').notNullable();
    t.boolean('public').notNullable();
    t.boolean('open').notNullable();
    t.text('sharing');
    t.boolean('data_updated').notNullable().defaultTo(false);
    t.index(['package_id', 'at']);
    t.index(['org_id']);
  });
  // Snapshots of an organization's compliance fields (focal point, code) when they change.
  await knex.schema.createTable('compliance_org_event', (t) => {
    t.bigIncrements('seq');
    t.text('org_id').notNullable();
    t.timestamp('at', { useTz: false }).notNullable();
    t.jsonb('fields').notNullable();
    t.index(['org_id', 'at']);
  });
  // Attestations: "no change this period", catalogue reviews, privacy reviews, self-assessments,
  // reports submitted outside Kho. Who and when are recorded by the server.
  await knex.schema.createTable('compliance_attestation', (t) => {
    t.uuid('id').primary();
    t.text('kind').notNullable();
    t.text('package_id');
    t.text('org_id');
    t.text('period');
    t.timestamp('at', { useTz: false }).notNullable();
    t.text('user_id');
    t.text('user_name');
    t.text('rule_id');
    t.text('note');
    t.jsonb('payload');
    t.index(['org_id', 'kind']);
    t.index(['package_id', 'kind']);
  });
  // One attestation per kind, subject and period: attesting again is a no-op.
  await knex.raw(
    `create unique index compliance_attestation_once on compliance_attestation (kind, coalesce(package_id, ''), coalesce(org_id, ''), coalesce(period, '')) where kind <> 'privacy_review'`,
  );
  await knex.schema.createTable('compliance_report', (t) => {
    t.uuid('id').primary();
    t.text('type').notNullable();
    t.text('period').notNullable();
    t.text('org_id');
    t.timestamp('generated_at', { useTz: false }).notNullable();
    t.text('generated_by');
    t.text('as_of').notNullable();
    t.jsonb('rules').notNullable();
    t.jsonb('result').notNullable();
    t.index(['type', 'period']);
  });
  // Reminders: one row per duty, period, organization and kind (before / overdue). The unique key is
  // what makes a reminder go out once, however often the job runs or restarts.
  await knex.schema.createTable('compliance_reminder', (t) => {
    t.bigIncrements('seq');
    t.text('duty').notNullable();
    t.text('period').notNullable();
    t.text('org_id').notNullable();
    t.text('kind').notNullable();
    t.text('rule_id').notNullable();
    t.text('recipient');
    t.text('subject');
    t.text('status').notNullable();
    t.timestamp('due_at', { useTz: false });
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('sent_at', { useTz: false });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('error');
    t.unique(['duty', 'period', 'org_id', 'kind']);
    t.index(['status']);
  });
  await knex.schema.createTable('compliance_link_state', (t) => {
    t.text('url').primary();
    t.timestamp('first_seen_at', { useTz: false }).notNullable();
    t.timestamp('checked_at', { useTz: false });
    t.text('class');
    t.integer('status');
    t.text('error');
    t.integer('response_ms');
    t.text('final_url');
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.index(['checked_at']);
  });
  await knex.schema.createTable('compliance_link_check', (t) => {
    t.bigIncrements('seq');
    t.text('url').notNullable();
    t.timestamp('checked_at', { useTz: false }).notNullable();
    t.text('class').notNullable();
    t.integer('status');
    t.text('error');
    t.integer('response_ms');
    t.index(['url', 'checked_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['compliance_link_check', 'compliance_link_state', 'compliance_reminder', 'compliance_report', 'compliance_attestation', 'compliance_org_event', 'compliance_dataset_event']) {
    await knex.schema.dropTableIfExists(table);
  }
}
