// The dashboard's files are found from the source tree as well (tsx, vitest): the same lookup
// that dist/ and the packaged artifact use (test/app/api/dashboard.test.ts, artifact.test.ts).
import { describe, expect, it } from 'vitest';
import { DASHBOARD_ASSETS, dashboardFile } from '../../../../src/dashboard/files.js';

describe('dashboardFile', () => {
  it('reads the page and every listed file, and nothing else', async () => {
    const page = await dashboardFile(undefined);
    expect(page?.contentType).toBe('text/html; charset=utf-8');
    expect(page?.body.toString('utf8')).toContain('<script type="module" src="dashboard/dashboard.js"></script>');
    for (const asset of Object.keys(DASHBOARD_ASSETS)) expect((await dashboardFile(asset))?.body.length, asset).toBeGreaterThan(0);
    expect((await dashboardFile('chart.umd.min.js'))?.body.toString('utf8')).toContain('Chart.js v4.6.1');
    for (const other of ['', 'index.html', '../host.json', '__proto__', 'toString']) expect(await dashboardFile(other), other).toBeUndefined();
  });
});
