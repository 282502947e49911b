// Core schema. Table names follow CKAN's (package, resource, "group", member, "user", api_token,
// tag, package_tag, package_member) so a CKAN administrator reading SQL finds their way. The package
// row keeps the whole package dict as JSON text (`data`): package_show is one indexed read, and
// package_search returns the same bytes. The other tables hold what must be looked up or enforced.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('system_info', (t) => {
    t.text('key').primary();
    t.jsonb('value');
  });

  await knex.schema.createTable('user', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('fullname');
    t.text('email');
    t.text('password_hash');
    t.text('about');
    t.boolean('sysadmin').notNullable().defaultTo(false);
    t.text('state').notNullable().defaultTo('active');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.specificType('last_active', 'timestamp(6)');
    t.text('image_url');
    t.boolean('activity_streams_email_notifications').notNullable().defaultTo(false);
    t.jsonb('plugin_extras');
  });

  await knex.schema.createTable('api_token', (t) => {
    t.text('id').primary();
    t.text('user_id').notNullable().references('id').inTable('user').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique();
    t.specificType('created_at', 'timestamp(6)').notNullable();
    t.specificType('last_access', 'timestamp(6)');
    t.specificType('expires_at', 'timestamp(6)');
    t.jsonb('plugin_extras');
    t.index(['user_id']);
  });

  await knex.schema.createTable('group', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('title');
    t.text('type').notNullable();
    t.text('description');
    t.text('image_url');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.boolean('is_organization').notNullable().defaultTo(false);
    t.text('approval_status').defaultTo('approved');
    t.text('state').notNullable().defaultTo('active');
    t.jsonb('extras').notNullable().defaultTo('[]');
    // Plugin-declared fields (FieldRegistry), shown top-level in the group/organization dict.
    t.jsonb('fields').notNullable().defaultTo('{}');
    t.index(['is_organization', 'state']);
  });

  // Memberships of users, datasets and sub-groups in groups and organizations, as CKAN's member table.
  await knex.schema.createTable('member', (t) => {
    t.text('id').primary();
    t.text('group_id').notNullable().references('id').inTable('group').onDelete('CASCADE');
    t.text('table_name').notNullable();
    t.text('table_id').notNullable();
    t.text('capacity').notNullable();
    t.text('state').notNullable().defaultTo('active');
    t.specificType('modified', 'timestamp(6)').notNullable();
    t.unique(['group_id', 'table_name', 'table_id']);
    t.index(['table_name', 'table_id']);
  });

  await knex.schema.createTable('package', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('title');
    t.text('type').notNullable().defaultTo('dataset');
    t.text('state').notNullable();
    t.boolean('private').notNullable().defaultTo(false);
    t.text('owner_org').references('id').inTable('group').onDelete('SET NULL');
    t.text('creator_user_id');
    t.specificType('metadata_created', 'timestamp(6)').notNullable();
    t.specificType('metadata_modified', 'timestamp(6)').notNullable();
    // The package dict as package_show returns it (JSON text, kept byte for byte).
    t.text('data').notNullable();
    // CKAN's plugin_data: shown only to sysadmins who ask for it.
    t.jsonb('plugin_data');
    t.index(['owner_org']);
    t.index(['state', 'private']);
    t.index(['metadata_modified']);
    t.index(['creator_user_id']);
  });

  await knex.schema.createTable('resource', (t) => {
    t.text('id').primary();
    t.text('package_id').notNullable().references('id').inTable('package').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('state').notNullable().defaultTo('active');
    t.text('url_type');
    // For uploads: where the file is kept and what it is ({key, filename, size, sha256, mimetype}).
    t.jsonb('upload');
    t.index(['package_id']);
  });

  await knex.schema.createTable('tag', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('vocabulary_id');
  });
  await knex.raw(`create unique index tag_name_vocabulary on tag (name, coalesce(vocabulary_id, ''))`);

  await knex.schema.createTable('package_tag', (t) => {
    t.text('package_id').notNullable().references('id').inTable('package').onDelete('CASCADE');
    t.text('tag_id').notNullable().references('id').inTable('tag').onDelete('CASCADE');
    t.primary(['package_id', 'tag_id']);
    t.index(['tag_id']);
  });

  // Dataset collaborators (CKAN's package_member).
  await knex.schema.createTable('package_member', (t) => {
    t.text('package_id').notNullable().references('id').inTable('package').onDelete('CASCADE');
    t.text('user_id').notNullable().references('id').inTable('user').onDelete('CASCADE');
    t.text('capacity').notNullable();
    t.specificType('modified', 'timestamp(6)').notNullable();
    t.primary(['package_id', 'user_id']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['package_member', 'package_tag', 'tag', 'resource', 'package', 'member', 'group', 'api_token', 'user', 'system_info']) {
    await knex.schema.dropTableIfExists(table);
  }
}
