// This repository's root: the workshop the tests, the bench and the scripts work on.
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
