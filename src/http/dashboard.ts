import type { HttpResponseInit } from '@azure/functions';
import { DASHBOARD_CSP, dashboardFile } from '../dashboard/files.js';
import { problems } from '../platform/problems.js';

/** The dashboard page (`asset` undefined) or one of its files, with the headers that keep it to itself. */
export async function dashboardResponse(asset: string | undefined): Promise<HttpResponseInit> {
  const file = await dashboardFile(asset);
  if (!file) throw problems.dashboardFileNotFound();
  return {
    status: 200,
    body: file.body,
    headers: {
      'content-type': file.contentType,
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      // The page is opened with ?code=<key>: no Referer may carry it elsewhere.
      'referrer-policy': 'no-referrer',
      // The page is keyed, so no cache keeps it; its files are the same for everyone and change
      // only with a deployment (short, so a new page does not meet old scripts for long).
      'cache-control': asset === undefined ? 'private, no-store' : 'public, max-age=300',
    },
  };
}
