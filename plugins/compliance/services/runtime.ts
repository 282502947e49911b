// What one kernel's compliance plugin holds at run time: its settings, and (after init) the
// container, for routes that are not actions. Registered as the service "compliance.runtime", so
// actions, jobs and routes of the same kernel share it even when a process runs several kernels.
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../../../core/container.ts';
import type { ActionContext } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import type { Settings } from './settings.ts';
import { Evaluator } from './engine.ts';
import { loadFacts, type LoadOptions } from './facts.ts';
import { endOfLocalDay, localDay, parseDayParam } from './time.ts';
import { say, t } from './i18n.ts';

export interface Runtime {
  settings: Settings;
  container: AwilixContainer<Cradle> | null;
}

export function runtimeOf(context: ActionContext): Runtime {
  return context.services['compliance.runtime'] as Runtime;
}

/** The evaluation instant for an optional `date` parameter: now, or the end of that local day. */
export function evaluationInstant(context: ActionContext, runtime: Runtime, date: unknown): Date {
  const now = context.services.clock.now();
  if (date === undefined || date === null || date === '') return now;
  const day = parseDayParam(date);
  if (day === null) throw new ValidationError({ date: [say(t('Ngày không hợp lệ (YYYY-MM-DD)', 'Not a date (YYYY-MM-DD)'), runtime.settings.language)] });
  return day === localDay(now) ? now : endOfLocalDay(day);
}

export async function evaluatorFor(context: ActionContext, runtime: Runtime, at: Date, options: LoadOptions = {}): Promise<Evaluator> {
  const facts = await loadFacts(context, options);
  return new Evaluator(runtime.settings.book, runtime.settings.calendar, facts, at);
}
