// The directory: Microsoft Graph for the kiosk. See README.md.
export { createGraphClient, resolveGraphBase, type GraphClientOptions, type GraphRetryOptions } from './graph-client';
export { createDirectoryGateway, type DirectoryGatewayOptions } from './gateway';
export { isExternalGuest, SEARCH_PAGE_SIZE } from './users';
export { DirectoryError, isDirectoryError, type TapCreationRefusal } from './errors';
export { planUserSearch, MAX_INPUT_LENGTH, type BadgeFormat, type SearchOptions, type UserQuery } from './search';
export type * from '../../common/directory';
