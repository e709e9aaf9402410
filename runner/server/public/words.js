// Words the page shows for things the runner names.

/** `step3` → `step 3`, as a sentence says it; any other step name as it is. */
export const stepWords = (name) => String(name).replace(/^step(\d+)$/, 'step $1');
