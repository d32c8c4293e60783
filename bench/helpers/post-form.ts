import { request } from 'node:http';

/**
 * POSTs a multipart form over node:http with no time limit and resolves with the status. Node's
 * fetch gives up when the answer's headers take over 300 s (undici's headersTimeout), which an
 * upload queued behind seven others reaches on a machine at load 30+: a client-side failure
 * that says nothing of the service.
 */
export async function postForm(
  url: string,
  headers: Record<string, string>,
  form: FormData,
): Promise<number> {
  const encoded = new Request(url, { method: 'POST', body: form });
  const body = Buffer.from(await encoded.arrayBuffer());
  const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': contentType, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
