/** What the app says of a call that got no answer (the network failed, or nothing came in time). */
export const NO_ANSWER = 'The server did not answer. Check your connection and try again.';

/** An RFC 9457 problem answer, with the fields the app shows (apart from api.ts: logic using it is tested without a browser). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly body: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }

  /** The seats a 409 names as taken. */
  get unavailable(): string[] {
    return Array.isArray(this.body['unavailable']) ? (this.body['unavailable'] as string[]) : [];
  }
}
