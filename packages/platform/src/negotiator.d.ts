/** The part of negotiator 1.x this code uses (its `preferred` option is newer than @types/negotiator). */
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    /** The acceptable ones of `available`, best first; `preferred` breaks ties between equals. */
    encodings(available?: readonly string[], options?: { preferred?: readonly string[] }): string[];
  }
}
