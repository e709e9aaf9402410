// Placeholder until the command is built.
export async function run(_args: string[]): Promise<number> {
  console.error('`workshop` is not built yet.');
  return 1;
}
