// Headless Chromium for tests of the pages the app serves (dashboard, API docs), driven through
// puppeteer-core. Each page records what went wrong in it: console errors, uncaught errors,
// failed requests and Content-Security-Policy violations, and keeps every response body it got.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Screenshots and measurements (git ignores it). */
export const TEST_OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');

export interface RecordedPage {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  /** `GET <url>: <status or network error>` for responses of 400 and above and requests that failed. */
  failedRequests: string[];
  cspViolations: string[];
  /** Every response body the page received so far (bodies that cannot be read, e.g. redirects, are left out). */
  responseBodies(): Promise<{ url: string; body: string }[]>;
}

// Runs in every document before its own scripts: reports each violation through the binding below.
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', (event) => {
  window.__reportCspViolation(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

export class TestBrowser {
  private constructor(
    private readonly browser: Browser,
    private readonly userDataDir: string,
  ) {}

  /** Fails (never skips) when Chromium is missing: CI installs it (.ci/run). */
  static async launch(): Promise<TestBrowser> {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: install it (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH`);
    }
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'chromium-profile-'));
    try {
      const browser = await puppeteer.launch({
        executablePath: CHROMIUM_PATH,
        // puppeteer adds --headless (Chromium's only headless mode since 132) and the profile folder.
        headless: true,
        userDataDir,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        defaultViewport: { width: 1280, height: 900 },
        // A busy machine (2 cores shared with the test stack) starts Chromium slowly.
        timeout: 90_000,
      });
      return new TestBrowser(browser, userDataDir);
    } catch (error) {
      await rm(userDataDir, { recursive: true, force: true });
      throw error;
    }
  }

  async newPage(): Promise<RecordedPage> {
    const page = await this.browser.newPage();
    // Waits are for states, never for time: only their bounds are generous.
    page.setDefaultTimeout(60_000);
    const recorded = { page, consoleErrors: [] as string[], pageErrors: [] as string[], failedRequests: [] as string[], cspViolations: [] as string[] };
    const bodies: Promise<{ url: string; body: string } | undefined>[] = [];
    await page.exposeFunction('__reportCspViolation', (text: string) => recorded.cspViolations.push(text));
    await page.evaluateOnNewDocument(CSP_LISTENER);
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = `${message.text()} (${message.location().url ?? 'unknown source'})`;
      recorded.consoleErrors.push(text);
      if (message.text().startsWith('Refused to')) recorded.cspViolations.push(text);
    });
    page.on('pageerror', (error) => recorded.pageErrors.push(String(error)));
    page.on('requestfailed', (request) => recorded.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
    page.on('response', (response) => {
      if (response.status() >= 400) recorded.failedRequests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
      bodies.push(
        response.text().then(
          (body) => ({ url: response.url(), body }),
          () => undefined,
        ),
      );
    });
    return { ...recorded, responseBodies: async () => (await Promise.all(bodies)).filter((entry) => entry !== undefined) };
  }

  async close(): Promise<void> {
    await this.browser.close();
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

/**
 * A test file's browser and page, launched by the first test that asks rather than in beforeAll:
 * a missing Chromium then fails every test, where a failing beforeAll only marks them skipped.
 */
export class SharedBrowser {
  private launching?: Promise<TestBrowser>;
  private opening?: Promise<RecordedPage>;

  /** Launched on the first call; its failure is every later caller's too. */
  browser(): Promise<TestBrowser> {
    return (this.launching ??= TestBrowser.launch());
  }

  /** One page for the file's tests, opened and `prepare`d on the first call. */
  page(prepare?: (recorded: RecordedPage) => Promise<void>): Promise<RecordedPage> {
    return (this.opening ??= (async () => {
      const recorded = await (await this.browser()).newPage();
      await prepare?.(recorded);
      return recorded;
    })());
  }

  async close(): Promise<void> {
    await (await this.launching?.catch(() => undefined))?.close();
  }
}

/** Sets the value of the input or select with this id as a user would: its `input` event follows. */
export async function setInputValue(page: Page, id: string, value: string): Promise<void> {
  await page.evaluate(
    (elementId: string, next: string) => {
      const input = (globalThis as any).document.getElementById(elementId);
      input.value = next;
      input.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true }));
    },
    id,
    value,
  );
}

/** Saves a screenshot (of the whole page, or of the viewport) under test-output/ and prints its path. */
export async function saveScreenshot(page: Page, name: `${string}.png`, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(TEST_OUTPUT_DIR, { recursive: true });
  const file = path.join(TEST_OUTPUT_DIR, name) as `${string}.png`;
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  console.log(`screenshot: ${file}`);
  return file;
}
