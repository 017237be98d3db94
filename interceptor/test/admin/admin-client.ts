// A one-shot HTTP client for admin endpoint tests (a fresh connection per call, nothing pooled).
import * as http from 'node:http';

export interface AdminResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export function adminCall(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<AdminResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
