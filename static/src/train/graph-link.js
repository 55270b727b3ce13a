// The model's autograd graph in the Graph lab: the server writes the model on its latest batch
// as a program (GET /api/v1/runs/{id}/program), and the link carries it in the Graph lab's URL
// state (static/src/graph/url-state.js: #{s, v, o}).

/** Parameters above which the graph would be too big to read (the button is disabled). */
export const MAX_GRAPH_PARAMETERS = 2000;

/** The Graph lab address that shows this program with these values. */
export function graphUrl({ source, values, output }) {
  return `/graph#${encodeURIComponent(JSON.stringify({ s: source, v: values, o: output }))}`;
}
