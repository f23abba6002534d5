import type { SettlementStatementData, StatementLine } from '../../../forms/statement/settlement-statement-data';

/** One line of the fee list: the statement's line with the day it was given and the hospital's own item code. */
export interface FeeListLine extends StatementLine {
  /** 'yyyy-MM-dd' (Beijing). */
  serviceDate: string;
  hisItemCode: string;
}

/**
 * What the 费用明细清单 shows: the final statement's data of an inpatient settlement, every fee line
 * with its day and HIS code. Money integer fen, as in the statement.
 */
export type FeeListData = Omit<SettlementStatementData, 'lines' | 'visit'> & {
  visit: Extract<SettlementStatementData['visit'], { kind: 'inpatient' }>;
  lines: FeeListLine[];
};
