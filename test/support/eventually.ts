/** Polling for a condition: lives with the drivers (their contract tests use it), shared by every test. */
export { eventually } from '../../drivers/testing/eventually';
