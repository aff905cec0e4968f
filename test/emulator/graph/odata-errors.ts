// The errors of the generic OData engine (odata-schema.ts, odata-collection.ts) for directory collections
// (/users, memberOf, transitiveMemberOf, group members), with the texts the reference quotes (entra-graph.md 5.2,
// 6.1) or that the real service is seen to send.
import { GraphError } from '../errors';

const ADVANCED_HINT =
  'is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information';

export const QueryErrors = {
  /** [OBS] what Graph answers for a $filter it cannot parse (e.g. `accountEnabled eq 'true'`). */
  invalidFilter: (detail?: string) => new GraphError(400, 'BadRequest', 'Invalid filter clause', detail ? { innerMessage: detail } : {}),
  /** [INF] the same shape for a $search that is not `"property:value"` clauses joined by AND/OR. */
  invalidSearch: (detail?: string) => new GraphError(400, 'BadRequest', 'Invalid search clause', detail ? { innerMessage: detail } : {}),
  /** [DOC] aad-advanced-queries.md. */
  searchNeedsHeader: () =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    ),
  /** [DOC] aad-advanced-queries.md, with the operator's name. */
  operatorNeedsAdvanced: (operator: string) => new GraphError(400, 'Request_UnsupportedQuery', `Operator '${operator}' ${ADVANCED_HINT}`),
  /** [DOC] aad-advanced-queries.md. */
  unsupportedClause: (property: string, resource: string) =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
    ),
  /** [INF] modelled on the filter text. */
  unsupportedSearch: (property: string, resource: string) =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query search clause specified for property '${property}' of resource '${resource}'.`,
    ),
  /** [OBS] the directory's text for a property the type does not have. */
  unknownProperty: (property: string, type: string) =>
    new GraphError(400, 'Request_BadRequest', `Could not find a property named '${property}' on type 'Microsoft.DirectoryServices.${type}'.`),
  /** [OBS] known issue: `in` is limited to 15 expressions by default. */
  tooManyClauses: (n: number) =>
    new GraphError(
      400,
      'Request_UnsupportedQuery',
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${n}. Max allowed: 15.`,
    ),
  /** [OBS] $orderby combined with $filter without advanced query parameters, or on an unsortable property. */
  sortingNotSupported: () => new GraphError(400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.'),
  /** [DOC] aad-advanced-queries.md. */
  countNotSupported: () => new GraphError(400, 'Request_BadRequest', '$count is not currently supported.'),
  /** [OBS] */
  invalidPageSize: (raw: string) => new GraphError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`),
  /** OData's texts for a malformed or repeated system query option. */
  invalidTop: (raw: string) =>
    new GraphError(400, 'BadRequest', `Invalid value '${raw}' for $top query option found. The $top query option requires a non-negative integer value.`),
  repeatedOption: (name: string) =>
    new GraphError(400, 'BadRequest', `Query option '${name}' was specified more than once, but it must be specified at most once.`),
  unsupportedOption: (name: string) => new GraphError(400, 'BadRequest', `The query parameter '${name}' is not supported.`),
  skipNotSupported: () => new GraphError(400, 'Request_BadRequest', "'$skip' is not supported by the service."),
  /** [INF] skip tokens are opaque; one that was not issued for this query is refused. */
  invalidSkipToken: () => new GraphError(400, 'Request_BadRequest', 'The specified page token value is invalid.'),
};
