// Types of node-release.mjs, for the TypeScript that imports it (examples/mixed-versions).
export declare const cacheDir: string
export declare function versionOf(node: string): string | undefined
export declare function nodeRelease(version: string, options?: { onInstall?: (dir: string) => void }): Promise<string>
