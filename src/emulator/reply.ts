/** A response the server writes: status, headers and a body already serialised. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON reply. */
export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** Result of one API call: the reply and what stats and fault injection need. */
export interface ApiOutcome {
  reply: Reply;
  /** Credential id or access key, `-` when unknown. */
  credentialKey: string;
  kind: 'creators' | 'paapi' | 'spapi' | 'keepa';
  /** A hang or a malformed body still to apply (500/503 are already in the reply). */
  fault: 'none' | 'hang' | 'malformed' | 500 | 503;
}
