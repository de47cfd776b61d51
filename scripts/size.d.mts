/** The sizes of the browser-facing entries: see `size.mjs`. */
export declare const WEB_CLIENT_BUDGET_BYTES: number;
export declare const ENTRIES: Record<string, string>;
export interface EntrySize {
  name: string;
  /** Minified bytes loaded at start. */
  minBytes: number;
  /** The same, gzipped. */
  gzipBytes: number;
  /** Gzipped bytes split off for dynamic import. */
  lazyBytes: number;
  /** Input files in what loads at start. */
  inputs: string[];
}
export declare function measureSizes(): Promise<EntrySize[]>;
