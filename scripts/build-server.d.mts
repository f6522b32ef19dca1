export function buildServer(outfile?: string): Promise<unknown>;
