// The schema of a port flag as commander hands it over (a string): a whole number from 0 to 65535, where 0
// asks for any free port.
import { z } from "zod";

export const portFlag = z
  .string()
  .regex(/^\d+$/, "expected a port number from 0 to 65535 (0 = any free port)")
  .transform(Number)
  .pipe(z.number().max(65_535, "expected a port number from 0 to 65535"));
