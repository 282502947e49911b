// Operations for the province's IT unit (sysadmins): run the link checker and the reminders now,
// and read what they recorded.
import type { ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import { runtimeOf } from '../services/runtime.ts';
import { linkHistory, runLinkCheck } from '../services/link-checker.ts';
import { listReminders, runReminders } from '../services/reminders.ts';
import { LINK_CHECK_JOB, REMINDER_JOB } from '../jobs/index.ts';

const sysadminOnly: AuthDefinition = { fn: () => ({ success: false, msg: 'Only sysadmins may run compliance operations' }) };

export const operationActions: Record<string, ActionDefinition> = {
  compliance_link_check_run: {
    doc: 'Check resource URLs now (HEAD, then GET; 5 s limit; bounded concurrency and per-host politeness). With wait=false (default) the check is queued as a background job; with wait=true it runs in the request and returns the summary.\n\n:param wait: (default false)\n:param urls: only these URLs (list)\n:param force: also URLs checked recently (default: true when urls are given)\n:rtype: summary, or {job_id}',
    async handler(context, data) {
      const runtime = runtimeOf(context);
      const urls = data.urls === undefined ? undefined : Array.isArray(data.urls) ? data.urls.map(String) : String(data.urls).split(',').map((u) => u.trim()).filter(Boolean);
      if (urls && !urls.length) throw new ValidationError({ urls: ['Empty list'] });
      const force = data.force === undefined ? !!urls : data.force === true || data.force === 'true';
      if (data.wait === true || data.wait === 'true') return runLinkCheck(context, runtime, { urls, force });
      const jobId = await context.services.jobQueue.enqueue(context.db(), LINK_CHECK_JOB, { urls: urls ?? null, force }, { dedupeKey: urls ? undefined : 'compliance-link-check' });
      return { job_id: jobId, queued: jobId !== null };
    },
  },

  compliance_link_show: {
    sideEffectFree: true,
    doc: 'The check history of one URL, newest first.\n\n:param url:\n:rtype: list',
    async handler(context, data) {
      if (!data.url) throw new ValidationError({ url: ['Missing value'] });
      const state = await context.db()('compliance_link_state').where('url', String(data.url)).first();
      return { url: data.url, state: state ?? null, history: await linkHistory(context, String(data.url)) };
    },
  },

  compliance_reminders_run: {
    doc: 'Send the reminders that are due now (each duty and period once). force=true sends even when reminders.enabled is off (for a first test).\n\n:param wait: run in the request (default true)\n:param force: (default false)\n:rtype: summary',
    async handler(context, data) {
      const runtime = runtimeOf(context);
      if (data.wait === false || data.wait === 'false') {
        const jobId = await context.services.jobQueue.enqueue(context.db(), REMINDER_JOB, { force: data.force === true || data.force === 'true' }, { dedupeKey: 'compliance-reminders' });
        return { job_id: jobId, queued: jobId !== null };
      }
      return runReminders(context, runtime, { force: data.force === true || data.force === 'true' });
    },
  },

  compliance_reminder_list: {
    sideEffectFree: true,
    doc: 'Reminders recorded (sent, failed, skipped), newest first.\n\n:param status:\n:param organization: id\n:param limit: (default 100)\n:rtype: list',
    async handler(context, data: DataDict) {
      return listReminders(context, { status: data.status ? String(data.status) : undefined, org_id: data.organization ? String(data.organization) : undefined, limit: Number(data.limit) || 100 });
    },
  },
};

export const operationAuth: Record<string, AuthDefinition> = {
  compliance_link_check_run: sysadminOnly,
  compliance_link_show: { allowAnonymous: true, fn: () => true },
  compliance_reminders_run: sysadminOnly,
  compliance_reminder_list: sysadminOnly,
};
