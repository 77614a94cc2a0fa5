// How a seq is written in a query string (`/ws?since=`, `/api/threats?since=`): plain decimal digits only,
// so `0x10`, `1e3` or ` 5` are refused the same way on both paths instead of being read as numbers.
export const seqPattern = /^(0|[1-9][0-9]{0,14})$/;
