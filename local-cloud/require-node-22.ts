/**
 * Refuses to run the local cloud on a Node.js older than the Lambda runtime's (nodejs22.x).
 * Imported first by the local cloud's entry points, so it runs before any module that needs Node 22: under
 * Node 20 the local cloud would start and then answer the API's requests with 500s (Middy 7 and other libraries
 * need Node 22). `npm start` and `npm test` put the project's Node 22 (the `node@22` devDependency) first on
 * PATH; this catches a local cloud started some other way.
 */
export const REQUIRED_NODE_MAJOR = 22;

/** The message for a Node.js version too old, or undefined when `version` (as `process.versions.node`) will do. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `The local cloud needs Node.js ${REQUIRED_NODE_MAJOR} (the Lambda runtime's), but this is Node.js ${version}.\n` +
    `Run it with \`npm start\`: npm puts the project's Node ${REQUIRED_NODE_MAJOR} (node_modules/.bin/node, from the ` +
    `node@${REQUIRED_NODE_MAJOR} devDependency that \`npm ci\` installs) first on PATH.\n`
  );
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(problem);
  process.exit(1);
}
