import type { ApiError, JobDetail } from '../../api/client.js';
import { withBase } from '../../base-path.js';

/** What the wizard sends with the file; the job is created without starting (a draft). */
export interface UploadChoices {
  name: string;
  supplierCode: string;
  marketplaces: string[];
  /** The code column's header name; detected when empty. */
  column: string;
  /** XLSX sheet name; the first visible sheet when empty. */
  sheet: string;
  refresh: boolean;
}

/**
 * `POST /api/v1/code2asin/jobs` as multipart with `auto_start: false`, through XMLHttpRequest:
 * fetch cannot report upload progress. Resolves to the created job (`job` of the answer) (with its pre-flight report)
 * or rejects with the API's error. The session cookie goes along (same origin).
 */
export function uploadJob(
  file: File,
  choices: UploadChoices,
  onProgress: (fraction: number) => void,
): Promise<JobDetail> {
  const form = new FormData();
  if (choices.name.trim()) form.append('name', choices.name.trim());
  if (choices.supplierCode.trim()) form.append('supplier_code', choices.supplierCode.trim());
  if (choices.marketplaces.length > 0) form.append('marketplaces', choices.marketplaces.join(','));
  if (choices.column) form.append('column', choices.column);
  const options: Record<string, unknown> = { auto_start: false };
  if (choices.sheet) options.sheet = choices.sheet;
  if (choices.refresh) options.refresh = true;
  form.append('options', JSON.stringify(options));
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withBase('/api/v1/code2asin/jobs'));
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { job?: JobDetail; error?: ApiError } | null;
      if (xhr.status === 201 && body?.job) resolve(body.job);
      else reject(body?.error ?? { code: 'http', message: `HTTP ${xhr.status}` });
    };
    xhr.onerror = () =>
      reject({ code: 'network', message: 'The upload did not reach the server.' });
    xhr.send(form);
  });
}
