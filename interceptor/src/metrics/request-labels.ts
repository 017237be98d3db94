// Label values for one finished request, kept to a bounded set so a caller cannot grow the number
// of series: methods outside the known set become `_OTHER` (as in the semantic conventions) and
// status codes outside 100–599 become `other`.
import { httpSemconv } from '@threadline/connectors';

const UNKNOWN_STATUS = 'other';

/** `200`, `404`, … or `other` for anything that is not a three-digit HTTP status. */
export function statusCodeLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : UNKNOWN_STATUS;
}

/** `2xx`, `4xx`, … or `other`. */
export function statusClassLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : UNKNOWN_STATUS;
}

/** The method as `http.request.method` spells it: a known method or `_OTHER`. */
export function methodLabel(method: string): string {
  return httpSemconv.normalizeHttpMethod(method).method;
}
