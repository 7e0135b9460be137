/** Selections shared by the documents of ./queries.ts and ../settings/queries.ts. */

/** The typed AdminError list every mutation payload carries. */
export const ADMIN_ERRORS = `errors { field code message messageTr }`;
