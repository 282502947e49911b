// Reminders by e-mail to a real SMTP server on loopback: before the deadline (lead time) and when
// overdue, in Vietnamese with an English copy, exactly once per duty and period — across repeated
// and concurrent runs, after an SMTP failure, and with no storm after a long downtime.
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { FixedClock } from '../../../core/clock.ts';
import { createOrganization, openDataset } from './helpers.ts';

interface Mail {
  to: string[];
  subject: string;
  text: string;
}

/** Decode RFC 2047 encoded words (nodemailer's Subject) and a quoted-printable or base64 body. */
function decodeWords(value: string): string {
  return value.replace(/\s*=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

function parseMail(raw: string, to: string[]): Mail {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = head.replace(/\r\n[ \t]+/g, ' ');
  const subject = decodeWords(/^Subject: (.*)$/im.exec(headers)?.[1] ?? '');
  let body = rest.join('\r\n\r\n');
  const encoding = /^Content-Transfer-Encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  if (encoding === 'quoted-printable') body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return { to, subject, text: body };
}

describe('compliance: reminders over SMTP', function () {
  this.timeout(60_000);
  let server: TestServer;
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  let rejectNext = 0;
  const clock = new FixedClock('2025-12-10T02:00:00Z');
  const run = async () => server.admin.call('compliance_reminders_run', {});

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        if (rejectNext > 0) {
          rejectNext--;
          return callback(Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 451 }));
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push(parseMail(Buffer.concat(chunks).toString('latin1'), session.envelope.rcptTo.map((r) => r.address)));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    server = await startTestServer({
      plugins: ['compliance'],
      clock,
      config: {
        compliance: {
          rule_packs: ['national', 'binh-dinh'],
          // Keep to the Bình Định duties here (the yearly national ones are covered elsewhere).
          disabled_rules: ['VN-D47-16-ASSESSMENT', 'VN-TT13-25-4-CONNECTION-REPORT'],
          province: { code: 'VN-31', name: 'Bình Định', report_email: 'sokhcn@binhdinh.gov.vn' },
          reminders: { enabled: true, overdue_max_age_days: 30 },
          smtp: { host: '127.0.0.1', port, from: 'Cổng dữ liệu mở <no-reply@opendata.binhdinh.gov.vn>' },
        },
      },
    });
    await createOrganization(server, 'so-y-te', { title: 'Sở Y tế', linh_vuc_phu_trach: ['y-te'] });
    await server.admin.call('package_create', openDataset('co-so-y-te', 'so-y-te', { title: 'Cơ sở y tế', linh_vuc: 'y-te' }));
    // An agency without a focal-point e-mail: its reminders are recorded as skipped.
    await server.admin.call('organization_create', { name: 'so-xay-dung', title: 'Sở Xây dựng' });
    await server.kernel.context().action('package_create', { name: 'cong-trinh', owner_org: 'so-xay-dung' });
    // The Q4 2025 report was filed on time.
    await server.admin.call('compliance_report_generate', { type: 'quarterly_open_data', period: '2025-Q4' });
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends nothing while no deadline is within its lead time', async () => {
    clock.set('2026-01-08T01:00:00Z');
    const result = await run();
    expect(result).to.include({ sent: 0, emails: 0 });
    expect(mails).to.have.length(0);
  });

  it('reminds the focal point before the window closes, in Vietnamese and English, once', async () => {
    clock.set('2026-01-11T01:00:00Z');
    const result = await run();
    expect(result).to.include({ new: 2, sent: 1, emails: 1, skipped: 1 });
    expect(mails).to.have.length(1);
    const mail = mails[0];
    expect(mail.to).to.deep.equal(['lan@soyte.binhdinh.gov.vn']);
    expect(mail.subject).to.equal('[Nhắc hạn] Cập nhật dữ liệu định kỳ hằng Quý trong thời hạn 15 ngày kể từ ngày đầu tiên của Quý — Sở Y tế — hạn 2026-01-15');
    expect(mail.text).to.include('Kính gửi Nguyễn Thị Lan, cán bộ đầu mối của Sở Y tế,');
    expect(mail.text).to.include('Căn cứ: Quy chế dữ liệu mở Bình Định (QĐ 51/2022/QĐ-UBND), Điều 4 khoản 5 (quy tắc BD-4-5-QUARTERLY-UPDATE)');
    expect(mail.text).to.include('Hạn cuối: hết ngày 2026-01-15 (giờ Việt Nam)');
    expect(mail.text).to.include('- Cơ sở y tế (http://kho.test/dataset/co-so-y-te)');
    expect(mail.text).to.include('Update the data every quarter within 15 days from the quarter\'s first day — due by the end of 2026-01-15');

    // Again the same day, and the next days: nothing new.
    expect(await run()).to.include({ new: 0, sent: 0 });
    clock.set('2026-01-13T01:00:00Z');
    expect(await run()).to.include({ new: 0, sent: 0 });
    expect(mails).to.have.length(1);
  });

  it('reminds once when overdue; concurrent runs do not double it', async () => {
    clock.set('2026-01-16T01:00:00Z');
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.sent + b.sent).to.equal(1);
    expect(mails).to.have.length(2);
    expect(mails[1].subject).to.match(/^\[Quá hạn\] Cập nhật dữ liệu định kỳ hằng Quý .* — Sở Y tế — hạn 2026-01-15$/);
    expect(mails[1].text).to.include('Đã quá hạn từ: hết ngày 2026-01-15');
    expect(await run()).to.include({ sent: 0 });
    const list = await server.admin.call('compliance_reminder_list', {});
    const sent = list.filter((r: { status: string }) => r.status === 'sent').map((r: { duty: string; period: string; kind: string }) => `${r.duty} ${r.period} ${r.kind}`);
    expect(sent.sort()).to.deep.equal(['BD-4-5-QUARTERLY-UPDATE 2026-Q1 before', 'BD-4-5-QUARTERLY-UPDATE 2026-Q1 overdue']);
    const skipped = list.filter((r: { status: string }) => r.status === 'skipped');
    expect(skipped[0].error).to.equal('no recipient (no focal-point e-mail, no fallback)');
  });

  it('after a long downtime, sends no storm of old reminders', async () => {
    // Down from mid-January to late May: the Q2 window (closed 15 April) is more than 30 days past.
    clock.set('2026-05-20T01:00:00Z');
    const result = await run();
    expect(result).to.include({ sent: 0, emails: 0 });
    expect(mails).to.have.length(2);
  });

  it("retries a reminder the SMTP server refused, and reminds the province's reporting unit of its report", async () => {
    clock.set('2026-06-15T01:00:00Z');
    rejectNext = 1;
    const failed = await run();
    expect(failed).to.include({ failed: 1, sent: 0 });
    const retried = await run();
    expect(retried).to.include({ sent: 1, new: 0 });
    expect(mails).to.have.length(3);
    expect(mails[2].to).to.deep.equal(['sokhcn@binhdinh.gov.vn']);
    expect(mails[2].subject).to.match(/^\[Nhắc hạn\] Báo cáo Ủy ban nhân dân tỉnh hằng Quý, trước ngày 25 của tháng cuối Quý — Sở Khoa học và Công nghệ — hạn 2026-06-24$/);
    expect(await run()).to.include({ sent: 0 });
    const row = (await server.admin.call('compliance_reminder_list', { status: 'sent' })).find((r: { duty: string }) => r.duty === 'BD-13-2-QUARTERLY-REPORT');
    expect(row).to.include({ period: '2026-Q2', kind: 'before', attempts: 2, recipient: 'sokhcn@binhdinh.gov.vn', org_id: null });
  });
});
