// GET /compliance/reports/<id>.json|.csv|.xlsx: a stored report as a file to attach to an official
// document. Authenticated like the Action API (API token); sysadmins, or the organization's editors
// for its self-assessment.
import type Router from '@koa/router';
import { createActionContext } from '../../../core/actions/context.ts';
import { ActionError } from '../../../core/errors.ts';
import type { Runtime } from '../services/runtime.ts';
import { loadReport } from '../actions/reports.ts';
import { reportCsv, reportXlsx } from '../services/reports.ts';

/** The route's errors in Vietnamese beside CKAN's English envelope (a person opens this link). */
const MESSAGE_VI: Record<number, string> = {
  403: 'Không có quyền tải báo cáo này: cần API token của quản trị hệ thống, hoặc của biên tập viên tổ chức với báo cáo tự đánh giá của tổ chức đó.',
  404: 'Không tìm thấy báo cáo.',
};

export function mountReportRoutes(runtime: Runtime) {
  return (router: Router) => {
    router.get('/compliance/reports/:file', async (ctx) => {
      const m = /^([0-9a-f-]{36})\.(json|csv|xlsx)$/.exec(ctx.params.file);
      if (!m || !runtime.container) {
        ctx.status = 404;
        ctx.body = { success: false, error: { __type: 'Not Found Error', message: 'Not found', message_vi: MESSAGE_VI[404] } };
        return;
      }
      const context = createActionContext(runtime.container, { user: ctx.state.user ?? null, requestId: ctx.state.requestId ?? null });
      try {
        const report = await loadReport(context, m[1]);
        const base = `bao-cao-${report.type}-${report.period}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
        if (m[2] === 'json') {
          ctx.type = 'application/json; charset=utf-8';
          ctx.body = JSON.stringify(report.result, null, 2);
        } else if (m[2] === 'csv') {
          ctx.type = 'text/csv; charset=utf-8';
          ctx.set('Content-Disposition', `attachment; filename="${base}.csv"`);
          ctx.body = reportCsv(report.result);
        } else {
          ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
          ctx.set('Content-Disposition', `attachment; filename="${base}.xlsx"`);
          ctx.body = await reportXlsx(report.result);
        }
      } catch (err) {
        if (!(err instanceof ActionError)) throw err;
        ctx.status = err.status;
        ctx.body = { success: false, error: { __type: err.type, ...err.body(), ...(MESSAGE_VI[err.status] ? { message_vi: MESSAGE_VI[err.status] } : {}) } };
      }
    });
  };
}
