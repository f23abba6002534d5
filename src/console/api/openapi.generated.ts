/**
 * GENERATED from the gateway's OpenAPI document (/api/docs-json) by test/support/openapi-types.ts.
 * Do not edit: run `npm run console:api-types` after changing a route or a DTO.
 * test/integration/console-api-types.spec.ts fails while this file is out of date.
 */

/** Every schema of the document, by its name (the DTO class name). */
export interface Schemas {
  AddQrDto: {
    text: string;
  };
  AgentDto: {
    id: string;
    name: string;
    desk: string;
    state: "active" | "revoked";
    connected: boolean;
    status: Schemas["AgentStatusDto"] | null;
    lastSeenAt: string | null;
    lastAddress: string | null;
    hostname: string | null;
    agentVersion: string | null;
    createdAt: string;
    updatedAt: string;
    revokedAt: string | null;
    revokedReason: string | null;
  };
  AgentEventDto: {
    seq: number;
    desk: string;
    deviceId: string;
    kind: string;
    text: string;
    scannedAt: string;
    receivedAt: string;
    replayed: boolean;
  };
  AgentOutageDto: {
    from: string;
    to: string;
    replayedReads: number;
    droppedReads: number;
  };
  AgentStatusDto: {
    bufferedScans: number;
    journalFillPercent: number;
    droppedReads: number;
    lastOutage: Schemas["AgentOutageDto"] | null;
    startedAt: string;
    reportedAt: string;
  };
  ApiKeyViewDto: {
    id: string;
    name: string;
    scopes: Array<"identity" | "trace-codes" | "forms" | "settlement" | "operations" | "admin" | "audit">;
    allowIps: Array<string> | null;
    createdAt: string;
    createdBy: string;
    lastUsedAt: string | null;
    expiresAt: string | null;
    revokedAt: string | null;
    revokedReason: string | null;
  };
  AuditDeductionDto: {
    lineId: string;
    itemCode: string;
    itemName: string;
    lineAmountFen: number;
    lineFundFen: number;
    amountFen: number;
    reasonCode: string;
    reason: string;
  };
  AuditEntryDto: {
    id: string;
    at: string;
    actorType: "api-key" | "staff" | "system" | "cli";
    actorId: string;
    action: string;
    subjectHash: string | null;
    outcome: "success" | "failure" | "denied";
    correlationId: string | null;
    details: Record<string, unknown> | null;
  };
  AuditResultDto: {
    settlementId: string;
    setlId: string;
    visitId: string;
    settledAt: string;
    dueOn: string;
    state: "unwatched" | "pending" | "done" | "closed";
    overdue: boolean;
    closedReason: string | null;
    checks: number;
    lastCheckedAt: string | null;
    nextCheckAt: string | null;
    lastError: string | null;
    result: Schemas["AuditVersionDto"] | null;
    deductions: Array<Schemas["AuditDeductionDto"]>;
    versions: Array<Schemas["AuditVersionDto"]>;
  };
  AuditResultSummaryDto: {
    settlementId: string;
    setlId: string;
    visitId: string;
    settledAt: string;
    dueOn: string;
    state: "pending" | "done" | "closed";
    overdue: boolean;
    version: number | null;
    deductedFen: number | null;
    checks: number;
    lastError: string | null;
  };
  AuditVersionDto: {
    version: number;
    auditedAt: string;
    fetchedAt: string;
    msgid: string;
    fundFen: number;
    deductedFen: number;
    approvedFen: number;
    deductionCount: number;
  };
  BatchDto: {
    visitId: string;
    lineNo: string;
    codes: Array<string>;
  };
  BatchResultDto: {
    operationId: string;
    added: number;
    line: Schemas["LineProgressDto"];
  };
  CancelOutboxDto: {
    reason: string;
  };
  CancelRequestDto: {
    at: string;
    state: "waiting" | "sent" | "moot";
  };
  CancelSettlementDto: {
    reason: string;
    staff: string;
  };
  CatalogueChangesDto: {
    previousVersionId: string | null;
    previousSeq: number | null;
    added: Array<string>;
    removed: Array<string>;
    retargeted: Array<Schemas["RetargetDto"]>;
    unchanged: number;
  };
  CatalogueCountsDto: {
    read: number;
    mapped: number;
    unmapped: number;
    duplicated: number;
    malformed: number;
    errors: number;
    warnings: number;
  };
  CatalogueFileDto: {
    name: string;
    sha256: string;
    bytes: number;
    encoding: "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "gb18030" | "xlsx";
    delimiter: "comma" | "tab" | "sheet";
    ignoredColumns: Array<string>;
  };
  CatalogueImportDto: {
    fileName: string;
    contentBase64: string;
    note?: string;
    dryRun?: boolean;
  };
  CatalogueImportReportDto: {
    outcome: "stored" | "already-current" | "dry-run";
    accepted: boolean;
    file: Schemas["CatalogueFileDto"];
    counts: Schemas["CatalogueCountsDto"];
    problems: Array<Schemas["CatalogueProblemDto"]>;
    problemsOmitted: number;
    changes: Schemas["CatalogueChangesDto"];
    version: Schemas["CatalogueVersionDto"] | null;
  };
  CatalogueItemDetailDto: {
    hisCode: string;
    current: Schemas["CatalogueItemDto"] | null;
    history: Array<Schemas["CatalogueItemDto"]>;
  };
  CatalogueItemDto: {
    hisCode: string;
    hisName: string;
    kind: "drug" | "service" | "material";
    medListCode: string | null;
    insurerName: string | null;
    validFrom: string | null;
    validTo: string | null;
    versionId: string;
    versionSeq: number;
    versionImportedAt: string;
  };
  CatalogueProblemDto: {
    row: number;
    code: string;
    severity: "error" | "warning";
    hisCode: string | null;
    value: string | null;
    firstRow: number | null;
    message: string;
    messageEn: string;
  };
  CatalogueVersionDto: {
    id: string;
    seq: number;
    importedAt: string;
    importedBy: string;
    sourceName: string;
    sourceSha256: string;
    sourceEncoding: "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "gb18030" | "xlsx";
    rowCount: number;
    itemCount: number;
    mappedCount: number;
    note: string | null;
    current: boolean;
  };
  ChangeStaffPasswordDto: {
    currentPassword: string;
    newPassword: string;
  };
  CheckDto: {
    code: string;
    passed: boolean;
    message: string;
    evidence: Array<string>;
    effect: "mismatch" | "not-covered" | "unusable" | "incomplete";
  };
  ClassificationDto: {
    kind: "trace-code" | "gs1" | "commodity-barcode" | "id-number" | "qr-token" | "refused";
    code?: string;
    message?: string;
  };
  CodesDto: {
    codes: Array<string>;
  };
  CodesWithReasonDto: {
    codes: Array<string>;
    reason: string;
  };
  CompletenessDto: {
    visitId: string;
    complete: boolean;
    lines: Array<Schemas["LineProgressDto"]>;
    missing: Array<Schemas["LineProgressDto"]>;
  };
  ComponentHealthDto: {
    status: "up" | "degraded" | "down";
    detail?: string;
  };
  ConfigEntryDto: {
    path: string;
    value: string | number | boolean | Array<unknown> | Record<string, unknown> | null;
    masked: boolean;
    origin: "default" | "file" | "env" | "override" | null;
  };
  ConfigViewDto: {
    mode: "production" | "sandbox";
    sources: Array<string>;
    config: Record<string, unknown>;
    entries: Array<Schemas["ConfigEntryDto"]>;
  };
  ConfirmedLineDto: {
    lineId: string;
    fundFen: number;
    selfPayFen: number;
  };
  ConversionCandidateDto: {
    visitId: string;
    psnNo: string | null;
    kind: "outpatient" | "inpatient";
    visitDate: string | null;
    admissionDate: string | null;
    dischargeDate: string | null;
    dept: string | null;
    diagnosisCode: string | null;
    diagnosisName: string | null;
    state: "open" | "settling" | "settled";
    lineSumFen: number;
    paidFen: number;
    receipts: Array<Schemas["ReceiptDto"]>;
    recordedAt: string;
    updatedAt: string;
    conversion: "convertible" | "not-convertible" | "converting" | "converted";
    reason: Schemas["ConversionReasonDto"] | null;
    settlement: Schemas["SettlementDto"] | null;
  };
  ConversionListDto: {
    determination: Schemas["DeterminationDto"];
    convertible: number;
    message: string;
    visits: Array<Schemas["ConversionCandidateDto"]>;
  };
  ConversionReasonDto: {
    code: string;
    message: string;
  };
  CountDto: {
    count: number;
  };
  CreateApiKeyDto: {
    name: string;
    scopes: Array<"identity" | "trace-codes" | "forms" | "settlement" | "operations" | "admin" | "audit">;
    allowIps?: Array<string>;
    expiresAt?: string;
  };
  CreateEnrolmentDto: {
    desk: string;
    name?: string;
    ttlMinutes?: number;
  };
  CreateFormDto: {
    kind: "relapse-filing" | "rehab-application" | "self-pay-consent";
    visitId: string;
    verificationToken?: string;
    psnNo?: string;
    mdtrtId?: string;
    disputed?: boolean;
    values: {
      [key: string]: unknown;
    };
  };
  CreateSessionDto: {
    desk: string;
    visitId: string;
    visitKind: "outpatient" | "inpatient";
    hisIdentity?: Schemas["HisIdentityDto"];
  };
  CreateStaffDto: {
    login: string;
    displayName: string;
    roles: Array<"desk" | "pharmacy" | "doctor" | "finance" | "it-admin" | "auditor">;
    desks?: Array<string>;
  };
  CreatedApiKeyDto: {
    key: Schemas["ApiKeyViewDto"];
    token: string;
  };
  DeclarationDto: {
    month: string;
    state: "draft" | "submitted" | "accepted" | "refused";
    setlCnt: number;
    medfeeFen: number;
    fundFen: number;
    psnFen: number;
    offlineFlag: boolean;
    unresolved: Array<string>;
    draftedAt: string;
    draftedBy: string;
    submissions: Array<string>;
    receiptId: string | null;
    consistent: boolean | null;
    insurer: Record<string, unknown> | null;
    differences: Array<string>;
    lastError: string | null;
    updatedAt: string;
  };
  DeclareLinesDto: {
    lines: Array<Schemas["LineDto"]>;
  };
  DeskLineDto: {
    desk: string;
    line: Schemas["LineProgressDto"] | null;
    setBy: string | null;
    setAt: string | null;
  };
  DeterminationDto: {
    status: "determined" | "pending" | "none";
    injuryDate: string | null;
    determinationDate: string | null;
    determinationNo: string | null;
  };
  DeviceViewDto: {
    id: string;
    kind: "id-card" | "scanner" | "ssse-card";
    transport: "serial" | "hid" | "pcsc" | "simulated";
    host: "gateway" | "agent";
    desk: string;
    path: string | null;
    state: "connecting" | "connected" | "waiting" | "reading" | "authentication-required" | "disconnected" | "error";
    message: string;
    since: string;
  };
  DiagnosisDto: {
    code: string;
    name: string;
  };
  DisableStaffDto: {
    reason: string;
  };
  DischargeSummaryDataDto: {
    name: string;
    sex: "男" | "女";
    admissionDiagnosis: string;
    dischargeDiagnosis: string;
    admissionCondition: string;
    treatmentCourse: string;
    dischargeCondition: string;
    dischargeAdvice: string;
    doctor: string;
    writtenOn: string;
  };
  DiscoveryDto: {
    serial: Schemas["DiscoverySectionDto"];
    hid: Schemas["DiscoverySectionDto"];
    pcsc: Schemas["DiscoverySectionDto"];
  };
  DiscoverySectionDto: {
    ok: boolean;
    items?: Array<Record<string, unknown>>;
    note?: string;
    message?: string;
  };
  DoctorViewDto: {
    name: string | null;
    sessionId: string;
    visitId: string;
    psnNo: string;
    psnType: string | null;
    injuryStatus: "determined" | "pending" | "none";
    determinationNo: string | null;
    determinationDate: string | null;
    injuryDate: string | null;
    injuredParts: Array<string>;
    occupationalDisease: string | null;
    disabilityGrade: number | null;
    category: "injury" | "occupational-disease";
    coverageSource: "insurer" | "coverageCache";
  };
  DoctorViewRequestDto: {
    token: string;
  };
  EnrolDto: {
    code: string;
    hostname?: string;
    agentVersion?: string;
  };
  EnrolledAgentDto: {
    agentId: string;
    credential: string;
    desk: string;
    name: string;
  };
  EnrolmentCodeDto: {
    code: string;
    desk: string;
    name: string | null;
    expiresAt: string;
  };
  ErrorBodyDto: {
    code: string;
    message: string;
    details?: Array<Schemas["ErrorDetailDto"]>;
    correlationId: string;
  };
  ErrorDetailDto: {
    field?: string;
    code?: string;
    message: string;
    context?: {
      [key: string]: string;
    };
  };
  FeeLineBatchDto: {
    lines: Array<Schemas["FeeLineInputDto"]>;
  };
  FeeLineBatchResultDto: {
    visitId: string;
    added: Array<string>;
    corrected: Array<string>;
    reinstated: Array<string>;
    unchanged: Array<string>;
  };
  FeeLineCodesDto: {
    feedetl_sn: string;
    med_list_codg: string;
    drug_trac_codg: Array<string>;
    trdn_flag: "0" | "1";
  };
  FeeLineDto: {
    lineId: string;
    hisItemCode: string;
    itemName: string;
    kind: "drug" | "service" | "material";
    count: string;
    unitPriceFen: number;
    amountFen: number;
    serviceDate: string;
    injuryRelated: boolean;
    daysOfSupply: number | null;
    supplyStatementPresent: boolean;
    selfPayConsentFormId: string | null;
    state: "active" | "withdrawn";
    revision: number;
    updatedAt: string;
  };
  FeeLineInputDto: {
    lineId: string;
    hisItemCode: string;
    itemName: string;
    kind: "drug" | "service" | "material";
    count: string;
    unitPriceFen: number;
    amountFen: number;
    serviceDate: string;
    injuryRelated: boolean;
    daysOfSupply?: number | null;
    supplyStatementPresent?: boolean;
    selfPayConsentFormId?: string | null;
  };
  FindingDto: {
    code: string;
    severity: "refuse" | "selfPay" | "hospitalLoss" | "warn";
    lineId: string | null;
    message: string;
  };
  FormDetailDto: {
    id: string;
    formNo: string;
    version: number;
    previousId: string | null;
    kind: "relapse-filing" | "rehab-application" | "self-pay-consent";
    title: string;
    visitId: string;
    disputed: boolean;
    status: "draft" | "signed" | "uploaded" | "acknowledged" | "rejected";
    rejectReason: string | null;
    sha256: string | null;
    size: number | null;
    signatureKind: "pad" | "scan" | null;
    signedAt: string | null;
    keepUntil: string | null;
    uploadMsgid: string | null;
    upload: Schemas["UploadDto"] | null;
    insurerFileId: string | null;
    createdAt: string;
    updatedAt: string;
    values: {
      [key: string]: unknown;
    };
    verifiedWorkerFields: Array<string>;
    versions: Array<Schemas["FormVersionDto"]>;
  };
  FormDto: {
    id: string;
    formNo: string;
    version: number;
    previousId: string | null;
    kind: "relapse-filing" | "rehab-application" | "self-pay-consent";
    title: string;
    visitId: string;
    disputed: boolean;
    status: "draft" | "signed" | "uploaded" | "acknowledged" | "rejected";
    rejectReason: string | null;
    sha256: string | null;
    size: number | null;
    signatureKind: "pad" | "scan" | null;
    signedAt: string | null;
    keepUntil: string | null;
    uploadMsgid: string | null;
    upload: Schemas["UploadDto"] | null;
    insurerFileId: string | null;
    createdAt: string;
    updatedAt: string;
  };
  FormFieldColumnDto: {
    key: string;
    label: string;
    type: "text" | "date" | "idNumber" | "phone" | "amount";
    required: boolean;
    maxLength?: number;
  };
  FormFieldDto: {
    key: string;
    label: string;
    type: "text" | "date" | "idNumber" | "phone" | "amount" | "table";
    required: boolean;
    maxLength?: number;
    enum?: Array<string>;
    columns?: Array<Schemas["FormFieldColumnDto"]>;
    maxRows?: number;
  };
  FormKindDto: {
    kind: "relapse-filing" | "rehab-application" | "self-pay-consent";
    title: string;
    fields: Array<Schemas["FormFieldDto"]>;
  };
  FormVersionDto: {
    id: string;
    version: number;
    status: "draft" | "signed" | "uploaded" | "acknowledged" | "rejected";
    signedAt: string | null;
    sha256: string | null;
    previousId: string | null;
  };
  HealthDto: {
    status: "up" | "degraded" | "down";
    mode: "production" | "sandbox";
    version: string;
    uptimeSeconds: number;
    components: {
      [key: string]: Schemas["ComponentHealthDto"];
    };
  };
  HisIdentityDto: {
    idNumber: string;
    name: string;
  };
  InpatientDocumentDto: {
    docType: "03" | "04" | "05" | "06";
    name: string;
    source: "his" | "gateway";
    status: "missing" | "stored" | "queued" | "acknowledged" | "rejected";
    version: number | null;
    versions: number;
    sha256: string | null;
    size: number | null;
    fileId: string | null;
    rejectReason: string | null;
    storedAt: string | null;
    uploadedAt: string | null;
  };
  InstitutionDto: {
    kind: "medical" | "rehab" | "assistive-device";
    seq: number;
    city: string;
    regionCode: string;
    name: string;
    grade: string | null;
    creditCode: string;
    address: string | null;
    phones: Array<string>;
    ownership: string | null;
    insurerOffice: string | null;
    insurerOfficePhones: Array<string>;
  };
  InstitutionListDto: {
    version: string;
    total: number;
    items: Array<Schemas["InstitutionDto"]>;
  };
  InsurerSplitDto: {
    setlId: string | null;
    setlTime: string | null;
    totalFen: number;
    fundFen: number;
    selfPayFen: number;
    lines: Array<Schemas["SettlementLineSplitDto"]>;
    refundFen: number | null;
  };
  KeyboardScanDto: {
    desk: string;
    text: string;
  };
  LineAuditDto: {
    lineId: string;
    disposition: "fund" | "selfPay" | "refused";
    amountFen: number;
    insurerCode: string | null;
    findings: Array<Schemas["FindingDto"]>;
  };
  LineChangesDto: {
    added: Array<string>;
    corrected: Array<string>;
    reinstated: Array<string>;
    withdrawn: Array<string>;
    unchanged: Array<string>;
  };
  LineDto: {
    lineNo: string;
    medListCode: string;
    drugName: string;
    quantity: number;
    splitPackage?: boolean;
  };
  LineProgressDto: {
    visitId: string;
    lineNo: string;
    medListCode: string;
    drugName: string;
    quantity: number;
    splitPackage: boolean;
    held: number;
    needed: number;
    status: "complete" | "missing-codes" | "split-package";
  };
  LineRefDto: {
    visitId: string;
    lineNo: string;
  };
  LocalSelfPayLineDto: {
    lineId: string;
    amountFen: number;
    reason: "not-mapped" | "after-discharge-notice";
  };
  MappingDto: {
    productCode: string;
    medListCode: string;
    drugName?: string;
  };
  MappingViewDto: {
    productCode: string;
    medListCode: string;
    drugName: string | null;
    updatedAt: string;
  };
  MappingsDto: {
    mappings: Array<Schemas["MappingDto"]>;
  };
  MedicalRecordDataDto: {
    medicalRecordNo: string;
    name: string;
    sex: "男" | "女";
    birthDate: string;
    admissionDepartment?: string;
    dischargeDepartment?: string;
    admissionDiagnosis?: string;
    principalDiagnosis: Schemas["DiagnosisDto"];
    otherDiagnoses?: Array<Schemas["DiagnosisDto"]>;
    operations?: Array<Schemas["OperationDto"]>;
    dischargeMethod: "医嘱离院" | "医嘱转院" | "医嘱转社区卫生服务机构" | "非医嘱离院" | "死亡" | "其他";
    attendingDoctor: string;
    residentDoctor?: string;
    writtenOn: string;
  };
  MissingAuditResultDto: {
    settlementId: string;
    setlId: string;
    visitId: string;
    kind: "outpatient" | "inpatient";
    settledAt: string;
    dueOn: string;
    daysSinceSettlement: number;
    checks: number;
    lastCheckedAt: string | null;
    lastError: string | null;
  };
  MissingDto: {
    code: "NEED_CREDENTIAL" | "NEED_PERSON" | "NEED_COVERAGE";
    message: string;
  };
  ObligationDto: {
    id: string;
    kind: "cross-province-upload" | "rehab-assessment" | "inpatient-documents" | "monthly-declaration" | "reconciliation" | "audit-result";
    subjectType: "settlement" | "visit" | "month" | "day";
    subjectId: string;
    owedBy: "hospital" | "insurer";
    rule: string;
    dueOn: string;
    dueConfirmed: boolean;
    state: "open" | "done" | "late" | "waived";
    overdue: boolean;
    openedAt: string;
    attempts: number;
    lastAttemptAt: string | null;
    lastError: string | null;
    fulfilledAt: string | null;
    evidence: Record<string, unknown> | null;
    detail: Record<string, unknown> | null;
    waivedReason: string | null;
    waivedBy: string | null;
    waivedAt: string | null;
  };
  OpenVisitDto: {
    visitId: string;
    psnNo: string;
    kind: "outpatient" | "inpatient";
    careType?: "medical" | "rehab" | "device";
    visitDate?: string;
    admissionDate?: string;
    ward?: string;
    dept?: string;
    diagnosisCode?: string;
    diagnosisName?: string;
  };
  OperationDto: {
    code: string;
    name: string;
    date: string;
    surgeon?: string;
  };
  OutboxAttemptDto: {
    kind: "send" | "query";
    instanceId: string;
    startedAt: string;
    latencyMs: number;
    outcome: "delivered" | "rejected" | "unavailable" | "not-sent" | "unknown" | "bad-signature" | "not-received";
    httpStatus: number | null;
    detail: string | null;
  };
  OutboxMessageDetailDto: {
    id: string;
    msgid: string;
    infno: string;
    subjectKey: string | null;
    status: "pending" | "unknown" | "sending" | "delivered" | "rejected" | "cancelled";
    attempts: number;
    nextAttemptAt: string;
    infcode: number | null;
    lastError: string | null;
    createdAt: string;
    finishedAt: string | null;
    cancelReason: string | null;
    attemptLog: Array<Schemas["OutboxAttemptDto"]>;
    reply: Record<string, unknown> | null;
  };
  OutboxMessageDto: {
    id: string;
    msgid: string;
    infno: string;
    subjectKey: string | null;
    status: "pending" | "unknown" | "sending" | "delivered" | "rejected" | "cancelled";
    attempts: number;
    nextAttemptAt: string;
    infcode: number | null;
    lastError: string | null;
    createdAt: string;
    finishedAt: string | null;
    cancelReason: string | null;
  };
  PersonCheckDto: {
    done: boolean;
    source: "insurer" | "coverageCache" | null;
  };
  PluggedDto: {
    deviceId: string;
    kind: "id-card" | "scanner" | "ssse-card";
    plugged: boolean;
  };
  PreAuditDto: {
    visitId: string;
    verdict: Schemas["PreAuditVerdictDto"];
    personCheck: Schemas["PersonCheckDto"];
    totals: Schemas["PreAuditTotalsDto"];
    lines: Array<Schemas["LineAuditDto"]>;
    findings: Array<Schemas["FindingDto"]>;
    catalogueVersionSeq: number | null;
    missingTraceCodes: "refuse" | "warn";
  };
  PreAuditRequestDto: {
    hisTotalFen?: number;
    hisFundFen?: number;
    hisSelfPayFen?: number;
  };
  PreAuditTotalsDto: {
    lineSumFen: number;
    fundFen: number;
    selfPayFen: number;
    refusedFen: number;
    hospitalLossFen: number;
  };
  PreAuditVerdictDto: {
    canSettle: boolean;
    message: string;
  };
  PresentDto: {
    person?: string;
    text?: string;
    aim?: string;
  };
  PresentedDto: {
    deviceId: string;
    kind: "id-card" | "scanner" | "ssse-card";
    presented: string | null;
  };
  ProvisionalSplitDto: {
    totalFen: number;
    fundFen: number;
    selfPayFen: number;
    deskCollectsFen: number;
    lines: Array<Schemas["SettlementLineSplitDto"]>;
  };
  ReceiptDto: {
    receiptNo: string;
    amountFen: number;
    paidDate: string;
  };
  ReceiptInputDto: {
    receiptNo: string;
    amountFen: number;
    paidDate: string;
  };
  ReceiptResultDto: {
    operationId: string;
    received: number;
    alreadyKnown: number;
  };
  ReconcileRequestDto: {
    from: string;
    to: string;
  };
  ReconciliationDto: {
    id: string;
    from: string;
    to: string;
    trigger: "daily" | "on-demand";
    requestedBy: string;
    state: "agreed" | "differs" | "failed";
    local: Record<string, unknown>;
    insurer: Record<string, unknown> | null;
    stmtRslt: string | null;
    stmtRsltDscr: string | null;
    msgid: string | null;
    differences: Array<string>;
    error: string | null;
    startedAt: string;
    finishedAt: string;
  };
  RecordSelfPaidVisitDto: {
    visitId: string;
    kind: "outpatient" | "inpatient";
    careType?: "medical" | "rehab" | "device";
    visitDate?: string;
    admissionDate?: string;
    ward?: string;
    dept?: string;
    diagnosisCode?: string;
    diagnosisName?: string;
    psnNo?: string;
    dischargeDate?: string;
    person: Schemas["SelfPaidPersonDto"];
    lines: Array<Schemas["FeeLineInputDto"]>;
    receipts: Array<Schemas["ReceiptInputDto"]>;
  };
  RehabAssessmentDto: {
    assessedOn: string;
    assessor?: string;
    reportNo?: string;
  };
  ResolveDifferenceDto: {
    staff: string;
    note: string;
  };
  RetargetDto: {
    hisCode: string;
    from: string | null;
    to: string | null;
  };
  ReturnDto: {
    codes: Array<string>;
    reason: string;
    visitId?: string;
    lineNo?: string;
  };
  ReturnResultDto: {
    operationId: string;
    returned: number;
    uploadsCancelled: number;
    alreadyUploaded: Array<Schemas["UploadedCodeDto"]>;
    stillOpen: number;
  };
  ReviewSettlementDto: {
    action: "requery" | "resolve";
    staff: string;
    outcome?: "settled" | "not-settled";
    note?: string;
    evidence?: string;
    setlId?: string;
    setlTime?: string;
    fundFen?: number;
    selfPayFen?: number;
    lines?: Array<Schemas["ConfirmedLineDto"]>;
  };
  RevokeAgentDto: {
    reason: string;
  };
  RevokeApiKeyDto: {
    reason: string;
  };
  ScanDto: {
    visitId: string;
    lineNo: string;
    text: string;
  };
  ScanResultDto: {
    code: string;
    form: "trace20" | "gs1";
    productCode: string;
    batch: string | null;
    expiry: string | null;
    line: Schemas["LineProgressDto"];
  };
  ScrapResultDto: {
    operationId: string;
    scrapped: number;
  };
  SelfPaidPersonDto: {
    idNumber: string;
    name: string;
  };
  SelfPaidRecordDto: {
    outcome: "recorded" | "corrected" | "unchanged";
    lines: Schemas["LineChangesDto"];
    receiptsChanged: boolean;
    visit: Schemas["SelfPaidVisitDto"];
  };
  SelfPaidVisitDto: {
    visitId: string;
    psnNo: string | null;
    kind: "outpatient" | "inpatient";
    visitDate: string | null;
    admissionDate: string | null;
    dischargeDate: string | null;
    dept: string | null;
    diagnosisCode: string | null;
    diagnosisName: string | null;
    state: "open" | "settling" | "settled";
    lineSumFen: number;
    paidFen: number;
    receipts: Array<Schemas["ReceiptDto"]>;
    recordedAt: string;
    updatedAt: string;
  };
  SendDocumentDto: {
    contentBase64: string;
    fileName?: string;
  };
  SentDocumentDto: {
    docType: "03" | "04" | "05" | "06";
    name: string;
    source: "his" | "gateway";
    status: "missing" | "stored" | "queued" | "acknowledged" | "rejected";
    version: number | null;
    versions: number;
    sha256: string | null;
    size: number | null;
    fileId: string | null;
    rejectReason: string | null;
    storedAt: string | null;
    uploadedAt: string | null;
    unchanged: boolean;
  };
  SessionDto: {
    id: string;
    desk: string;
    visitId: string | null;
    visitKind: "outpatient" | "inpatient";
    verdict: "MATCH" | "MISMATCH" | "INCOMPLETE" | "NOT_COVERED";
    offline: boolean;
    coverage: "confirmed" | "cached" | "pending";
    checks: Array<Schemas["CheckDto"]>;
    missing: Array<Schemas["MissingDto"]>;
    sources: Array<string>;
    token: string | null;
    tokenExpiresAt: string | null;
    updatedAt: string;
  };
  SettleRequestDto: {
    desk?: string;
  };
  SettlementDifferenceDto: {
    id: string;
    settlementId: string;
    visitId: string;
    cause: "split-differs" | "rejected";
    provisionalFen: number;
    finalFen: number;
    differenceFen: number;
    direction: "collect" | "refund";
    state: "open" | "done";
    desk: string | null;
    message: string;
    createdAt: string;
    resolvedBy: string | null;
    resolvedAt: string | null;
    resolutionNote: string | null;
  };
  SettlementDto: {
    id: string;
    visitId: string;
    psnNo: string;
    kind: "outpatient" | "inpatient";
    infno: string;
    msgid: string;
    idempotencyKey: string;
    status: "pending" | "provisional" | "settled" | "rejected" | "needs-review" | "cancelling" | "cancelled";
    sentLineIds: Array<string>;
    localSelfPay: Array<Schemas["LocalSelfPayLineDto"]>;
    preAuditTotals: Schemas["PreAuditTotalsDto"];
    setlId: string | null;
    split: Schemas["InsurerSplitDto"] | null;
    deskCollectsFen: number | null;
    conversion: boolean;
    refundFen: number | null;
    problem: string | null;
    settledAt: string | null;
    cancelReason: string | null;
    cancelledAt: string | null;
    cancelRequested: Schemas["CancelRequestDto"] | null;
    desk: string | null;
    provisional: boolean;
    provisionalSplit: Schemas["ProvisionalSplitDto"] | null;
    createdBy: string;
    createdAt: string;
  };
  SettlementLineSplitDto: {
    lineId: string;
    amountFen: number;
    fundFen: number;
    selfPayFen: number;
    reason: string | null;
  };
  SettlementTrialDto: {
    visitId: string;
    split: Schemas["InsurerSplitDto"];
    localSelfPay: Array<Schemas["LocalSelfPayLineDto"]>;
    deskCollectsFen: number;
    warnings: Array<Schemas["FindingDto"]>;
  };
  SignFormDto: {
    signaturePng?: string;
    signedAt?: string;
    scannedPdf?: string;
  };
  StaffConfirmationDto: {
    staffId?: string;
    staffName?: string;
  };
  StaffLoginDto: {
    login: string;
    password: string;
  };
  StaffMeDto: {
    id: string;
    login: string;
    displayName: string;
    roles: Array<"desk" | "pharmacy" | "doctor" | "finance" | "it-admin" | "auditor">;
    desks: Array<string>;
  };
  StaffSessionDto: {
    staff: Schemas["StaffMeDto"];
    csrfToken: string;
    expiresAt: string;
    passwordChangeRequired: boolean;
    passwordExpiresAt: string | null;
    passwordExpiresSoon: boolean;
  };
  StaffViewDto: {
    id: string;
    login: string;
    displayName: string;
    roles: Array<"desk" | "pharmacy" | "doctor" | "finance" | "it-admin" | "auditor">;
    desks: Array<string>;
    state: "active" | "disabled";
    lockedUntil: string | null;
    lastLoginAt: string | null;
    disabledReason: string | null;
    createdAt: string;
    createdBy: string;
  };
  StaffWithPasswordDto: {
    staff: Schemas["StaffViewDto"];
    password: string;
  };
  TestReadDto: {
    waitSeconds?: number;
  };
  TestReadResultDto: {
    deviceId: string;
    host: "gateway" | "agent";
    agentId: string | null;
    read: {
      [key: string]: unknown;
    } | null;
    message: string;
  };
  UpdateAgentDto: {
    name?: string;
    desk?: string;
  };
  UpdateFormDto: {
    values?: {
      [key: string]: unknown;
    };
    disputed?: boolean;
  };
  UpdateVisitDto: {
    dischargeDate?: string | null;
    dischargeNoticeDate?: string | null;
    ward?: string | null;
    dept?: string | null;
    diagnosisCode?: string | null;
    diagnosisName?: string | null;
  };
  UploadDto: {
    state: "pending" | "unknown" | "sending" | "delivered" | "rejected" | "cancelled";
    attempts: number;
    lastError: string | null;
    nextAttemptAt: string;
  };
  UploadInvoiceDto: {
    invoiceNo: string;
  };
  UploadedCodeDto: {
    code: string;
    setlId: string;
  };
  VisitDetailDto: {
    id: string;
    visitId: string;
    psnNo: string;
    kind: "outpatient" | "inpatient";
    careType: "medical" | "rehab" | "device";
    visitDate: string | null;
    admissionDate: string | null;
    ward: string | null;
    dept: string | null;
    diagnosisCode: string | null;
    diagnosisName: string | null;
    dischargeDate: string | null;
    dischargeNoticeDate: string | null;
    state: "open" | "settling" | "settled";
    createdAt: string;
    updatedAt: string;
    lines: Array<Schemas["FeeLineDto"]>;
    activeLines: number;
    activeAmountFen: number;
  };
  VisitDto: {
    id: string;
    visitId: string;
    psnNo: string;
    kind: "outpatient" | "inpatient";
    careType: "medical" | "rehab" | "device";
    visitDate: string | null;
    admissionDate: string | null;
    ward: string | null;
    dept: string | null;
    diagnosisCode: string | null;
    diagnosisName: string | null;
    dischargeDate: string | null;
    dischargeNoticeDate: string | null;
    state: "open" | "settling" | "settled";
    createdAt: string;
    updatedAt: string;
  };
  WaiveObligationDto: {
    staff: string;
    reason: string;
  };
}

/** Every operation, keyed '<METHOD> <path>', with its parameters, JSON body and successful answer. */
export interface Operations {
  "GET /api/v1/admin/api-keys": {
    query?: {
      includeRevoked?: "true" | "false";
    };
    response: Array<Schemas["ApiKeyViewDto"]>;
  };
  "POST /api/v1/admin/api-keys": {
    body: Schemas["CreateApiKeyDto"];
    response: Schemas["CreatedApiKeyDto"];
  };
  "POST /api/v1/admin/api-keys/{id}/revoke": {
    path: {
      id: string;
    };
    body: Schemas["RevokeApiKeyDto"];
    response: Schemas["ApiKeyViewDto"];
  };
  "GET /api/v1/admin/audit": {
    query?: {
      before?: string;
      limit?: number;
      action?: string;
      actorId?: string;
      actorType?: "api-key" | "staff" | "system" | "cli";
      outcome?: "success" | "failure" | "denied";
      from?: string;
      to?: string;
    };
    response: Array<Schemas["AuditEntryDto"]>;
  };
  "GET /api/v1/admin/audit/export": {
    query: {
      from: string;
      to: string;
    };
    response: void;
  };
  "GET /api/v1/admin/config": {
    response: Schemas["ConfigViewDto"];
  };
  "GET /api/v1/admin/outbox": {
    query?: {
      before?: string;
      limit?: number;
      status?: "pending" | "unknown" | "sending" | "delivered" | "rejected" | "cancelled";
      infno?: string;
      subjectKey?: string;
    };
    response: Array<Schemas["OutboxMessageDto"]>;
  };
  "GET /api/v1/admin/outbox/{id}": {
    path: {
      id: string;
    };
    response: Schemas["OutboxMessageDetailDto"];
  };
  "POST /api/v1/admin/outbox/{id}/cancel": {
    path: {
      id: string;
    };
    body: Schemas["CancelOutboxDto"];
    response: Schemas["OutboxMessageDto"];
  };
  "POST /api/v1/admin/outbox/{id}/rerun": {
    path: {
      id: string;
    };
    response: Schemas["OutboxMessageDto"];
  };
  "GET /api/v1/agents": {
    query?: {
      all?: boolean;
    };
    response: Array<Schemas["AgentDto"]>;
  };
  "POST /api/v1/agents/enrol": {
    body: Schemas["EnrolDto"];
    response: Schemas["EnrolledAgentDto"];
  };
  "POST /api/v1/agents/enrolments": {
    body: Schemas["CreateEnrolmentDto"];
    response: Schemas["EnrolmentCodeDto"];
  };
  "GET /api/v1/agents/{id}": {
    path: {
      id: string;
    };
    response: Schemas["AgentDto"];
  };
  "PATCH /api/v1/agents/{id}": {
    path: {
      id: string;
    };
    body: Schemas["UpdateAgentDto"];
    response: Schemas["AgentDto"];
  };
  "GET /api/v1/agents/{id}/events": {
    path: {
      id: string;
    };
    query?: {
      afterSeq?: number;
      limit?: number;
    };
    response: Array<Schemas["AgentEventDto"]>;
  };
  "POST /api/v1/agents/{id}/revoke": {
    path: {
      id: string;
    };
    body: Schemas["RevokeAgentDto"];
    response: Schemas["AgentDto"];
  };
  "GET /api/v1/declarations": {
    query?: {
      state?: "draft" | "submitted" | "accepted" | "refused";
      limit?: number;
    };
    response: Array<Schemas["DeclarationDto"]>;
  };
  "GET /api/v1/declarations/{month}": {
    path: {
      month: string;
    };
    response: Schemas["DeclarationDto"];
  };
  "POST /api/v1/declarations/{month}/draft": {
    path: {
      month: string;
    };
    response: Schemas["DeclarationDto"];
  };
  "POST /api/v1/declarations/{month}/resubmit": {
    path: {
      month: string;
    };
    response: Schemas["DeclarationDto"];
  };
  "POST /api/v1/declarations/{month}/submit": {
    path: {
      month: string;
    };
    response: Schemas["DeclarationDto"];
  };
  "GET /api/v1/devices": {
    response: Array<Schemas["DeviceViewDto"]>;
  };
  "GET /api/v1/devices/discovery": {
    response: Schemas["DiscoveryDto"];
  };
  "POST /api/v1/devices/scans": {
    body: Schemas["KeyboardScanDto"];
    response: Schemas["ClassificationDto"];
  };
  "GET /api/v1/devices/{id}": {
    path: {
      id: string;
    };
    response: Schemas["DeviceViewDto"];
  };
  "POST /api/v1/devices/{id}/test-read": {
    path: {
      id: string;
    };
    body: Schemas["TestReadDto"];
    response: Schemas["TestReadResultDto"];
  };
  "GET /api/v1/forms": {
    query?: {
      before?: string;
      limit?: number;
      visitId?: string;
      idNumber?: string;
    };
    response: Array<Schemas["FormDto"]>;
  };
  "POST /api/v1/forms": {
    body: Schemas["CreateFormDto"];
    response: Schemas["FormDetailDto"];
  };
  "GET /api/v1/forms/kinds": {
    response: Array<Schemas["FormKindDto"]>;
  };
  "POST /api/v1/forms/preview": {
    body: Schemas["CreateFormDto"];
    response: Blob;
  };
  "GET /api/v1/forms/{id}": {
    path: {
      id: string;
    };
    response: Schemas["FormDetailDto"];
  };
  "PATCH /api/v1/forms/{id}": {
    path: {
      id: string;
    };
    body: Schemas["UpdateFormDto"];
    response: Schemas["FormDetailDto"];
  };
  "POST /api/v1/forms/{id}/corrections": {
    path: {
      id: string;
    };
    body: Schemas["UpdateFormDto"];
    response: Schemas["FormDetailDto"];
  };
  "GET /api/v1/forms/{id}/pdf": {
    path: {
      id: string;
    };
    response: Blob;
  };
  "POST /api/v1/forms/{id}/signature": {
    path: {
      id: string;
    };
    body: Schemas["SignFormDto"];
    response: Schemas["FormDetailDto"];
  };
  "GET /api/v1/identity/doctor-view": {
    headers: {
      "x-verification-token": string;
    };
    response: Schemas["DoctorViewDto"];
  };
  "POST /api/v1/identity/doctor-view": {
    body: Schemas["DoctorViewRequestDto"];
    response: Schemas["DoctorViewDto"];
  };
  "POST /api/v1/identity/sessions": {
    body: Schemas["CreateSessionDto"];
    response: Schemas["SessionDto"];
  };
  "GET /api/v1/identity/sessions/{id}": {
    path: {
      id: string;
    };
    response: Schemas["SessionDto"];
  };
  "POST /api/v1/identity/sessions/{id}/qr": {
    path: {
      id: string;
    };
    body: Schemas["AddQrDto"];
    response: Schemas["SessionDto"];
  };
  "POST /api/v1/identity/sessions/{id}/staff-confirmation": {
    path: {
      id: string;
    };
    body: Schemas["StaffConfirmationDto"];
    response: Schemas["SessionDto"];
  };
  "GET /api/v1/obligations": {
    query?: {
      before?: string;
      limit?: number;
      kind?: "cross-province-upload" | "rehab-assessment" | "inpatient-documents" | "monthly-declaration" | "reconciliation" | "audit-result";
      state?: "open" | "done" | "late" | "waived";
      owedBy?: "hospital" | "insurer";
      dueBefore?: string;
      overdue?: boolean;
      subject?: string;
    };
    response: Array<Schemas["ObligationDto"]>;
  };
  "GET /api/v1/obligations/{id}": {
    path: {
      id: string;
    };
    response: Schemas["ObligationDto"];
  };
  "POST /api/v1/obligations/{id}/waive": {
    path: {
      id: string;
    };
    body: Schemas["WaiveObligationDto"];
    response: Schemas["ObligationDto"];
  };
  "GET /api/v1/reconciliations": {
    query?: {
      before?: string;
      limit?: number;
      day?: string;
    };
    response: Array<Schemas["ReconciliationDto"]>;
  };
  "POST /api/v1/reconciliations": {
    body: Schemas["ReconcileRequestDto"];
    response: Schemas["ReconciliationDto"];
  };
  "GET /api/v1/reconciliations/{id}": {
    path: {
      id: string;
    };
    response: Schemas["ReconciliationDto"];
  };
  "GET /api/v1/reference/institutions": {
    query?: {
      kind?: "medical" | "rehab" | "assistive-device";
      region?: string;
      name?: string;
    };
    response: Schemas["InstitutionListDto"];
  };
  "POST /api/v1/sandbox/devices/{id}/present": {
    path: {
      id: string;
    };
    body: Schemas["PresentDto"];
    response: Schemas["PresentedDto"];
  };
  "POST /api/v1/sandbox/devices/{id}/remove": {
    path: {
      id: string;
    };
    response: Schemas["PresentedDto"];
  };
  "POST /api/v1/sandbox/devices/{id}/replug": {
    path: {
      id: string;
    };
    response: Schemas["PluggedDto"];
  };
  "POST /api/v1/sandbox/devices/{id}/unplug": {
    path: {
      id: string;
    };
    response: Schemas["PluggedDto"];
  };
  "GET /api/v1/settlement/audit-results": {
    query?: {
      before?: string;
      limit?: number;
      state?: "pending" | "done" | "closed";
    };
    response: Array<Schemas["AuditResultSummaryDto"]>;
  };
  "GET /api/v1/settlement/audit-results/missing": {
    query?: {
      after?: string;
      limit?: number;
    };
    response: Array<Schemas["MissingAuditResultDto"]>;
  };
  "POST /api/v1/settlement/catalogue/imports": {
    body: Schemas["CatalogueImportDto"];
    response: Schemas["CatalogueImportReportDto"];
  };
  "GET /api/v1/settlement/catalogue/items/{hisCode}": {
    path: {
      hisCode: string;
    };
    response: Schemas["CatalogueItemDetailDto"];
  };
  "GET /api/v1/settlement/catalogue/versions": {
    query?: {
      before?: string;
      limit?: number;
    };
    response: Array<Schemas["CatalogueVersionDto"]>;
  };
  "GET /api/v1/settlement/conversions": {
    headers: {
      "x-verification-token": string;
    };
    response: Schemas["ConversionListDto"];
  };
  "GET /api/v1/settlement/differences": {
    query?: {
      before?: string;
      limit?: number;
      state?: "open" | "done";
    };
    response: Array<Schemas["SettlementDifferenceDto"]>;
  };
  "POST /api/v1/settlement/differences/{id}/resolve": {
    path: {
      id: string;
    };
    body: Schemas["ResolveDifferenceDto"];
    response: Schemas["SettlementDifferenceDto"];
  };
  "POST /api/v1/settlement/self-paid-visits": {
    body: Schemas["RecordSelfPaidVisitDto"];
    response: Schemas["SelfPaidRecordDto"];
  };
  "GET /api/v1/settlement/self-paid-visits/{visitId}": {
    path: {
      visitId: string;
    };
    response: Schemas["SelfPaidVisitDto"];
  };
  "GET /api/v1/settlement/settlements": {
    query: {
      before?: string;
      limit?: number;
      status: "pending" | "provisional" | "settled" | "rejected" | "needs-review" | "cancelling" | "cancelled";
    };
    response: Array<Schemas["SettlementDto"]>;
  };
  "GET /api/v1/settlement/settlements/{id}": {
    path: {
      id: string;
    };
    response: Schemas["SettlementDto"];
  };
  "GET /api/v1/settlement/settlements/{id}/audit-result": {
    path: {
      id: string;
    };
    response: Schemas["AuditResultDto"];
  };
  "POST /api/v1/settlement/settlements/{id}/audit-result/check": {
    path: {
      id: string;
    };
    response: Schemas["AuditResultDto"];
  };
  "POST /api/v1/settlement/settlements/{id}/cancel": {
    path: {
      id: string;
    };
    body: Schemas["CancelSettlementDto"];
    response: Schemas["SettlementDto"];
  };
  "GET /api/v1/settlement/settlements/{id}/documents": {
    path: {
      id: string;
    };
    response: Array<Schemas["InpatientDocumentDto"]>;
  };
  "GET /api/v1/settlement/settlements/{id}/documents/{docType}/pdf": {
    path: {
      id: string;
      docType: string;
    };
    query?: {
      version?: number;
    };
    response: Blob;
  };
  "POST /api/v1/settlement/settlements/{id}/invoice": {
    path: {
      id: string;
    };
    body: Schemas["UploadInvoiceDto"];
    response: Schemas["ObligationDto"];
  };
  "POST /api/v1/settlement/settlements/{id}/review": {
    path: {
      id: string;
    };
    body: Schemas["ReviewSettlementDto"];
    response: Schemas["SettlementDto"];
  };
  "GET /api/v1/settlement/settlements/{id}/statement.pdf": {
    path: {
      id: string;
    };
    response: Blob;
  };
  "GET /api/v1/settlement/visits": {
    query?: {
      before?: string;
      limit?: number;
      psnNo?: string;
      state?: "open" | "settling" | "settled";
    };
    response: Array<Schemas["VisitDto"]>;
  };
  "POST /api/v1/settlement/visits": {
    headers?: {
      "x-verification-token"?: string;
    };
    body: Schemas["OpenVisitDto"];
    response: Schemas["VisitDto"];
  };
  "GET /api/v1/settlement/visits/{visitId}": {
    path: {
      visitId: string;
    };
    response: Schemas["VisitDetailDto"];
  };
  "PATCH /api/v1/settlement/visits/{visitId}": {
    path: {
      visitId: string;
    };
    headers?: {
      "x-verification-token"?: string;
    };
    body: Schemas["UpdateVisitDto"];
    response: Schemas["VisitDto"];
  };
  "POST /api/v1/settlement/visits/{visitId}/conversion": {
    path: {
      visitId: string;
    };
    headers: {
      "idempotency-key"?: string;
      "x-verification-token": string;
    };
    body: Schemas["SettleRequestDto"];
    response: Schemas["SettlementDto"];
  };
  "PUT /api/v1/settlement/visits/{visitId}/documents/discharge-summary/data": {
    path: {
      visitId: string;
    };
    body: Schemas["DischargeSummaryDataDto"];
    response: Schemas["SentDocumentDto"];
  };
  "PUT /api/v1/settlement/visits/{visitId}/documents/medical-record/data": {
    path: {
      visitId: string;
    };
    body: Schemas["MedicalRecordDataDto"];
    response: Schemas["SentDocumentDto"];
  };
  "PUT /api/v1/settlement/visits/{visitId}/documents/{kind}": {
    path: {
      visitId: string;
      kind: string;
    };
    body: Schemas["SendDocumentDto"];
    response: Schemas["SentDocumentDto"];
  };
  "PUT /api/v1/settlement/visits/{visitId}/lines": {
    path: {
      visitId: string;
    };
    body: Schemas["FeeLineBatchDto"];
    response: Schemas["FeeLineBatchResultDto"];
  };
  "DELETE /api/v1/settlement/visits/{visitId}/lines/{lineId}": {
    path: {
      visitId: string;
      lineId: string;
    };
    response: Schemas["FeeLineDto"];
  };
  "POST /api/v1/settlement/visits/{visitId}/pre-audit": {
    path: {
      visitId: string;
    };
    headers?: {
      "x-verification-token"?: string;
    };
    body: Schemas["PreAuditRequestDto"];
    response: Schemas["PreAuditDto"];
  };
  "POST /api/v1/settlement/visits/{visitId}/rehab-assessment": {
    path: {
      visitId: string;
    };
    body: Schemas["RehabAssessmentDto"];
    response: Schemas["ObligationDto"];
  };
  "POST /api/v1/settlement/visits/{visitId}/settlement": {
    path: {
      visitId: string;
    };
    headers: {
      "idempotency-key"?: string;
      "x-verification-token": string;
    };
    body: Schemas["SettleRequestDto"];
    response: Schemas["SettlementDto"];
  };
  "POST /api/v1/settlement/visits/{visitId}/settlement/trial": {
    path: {
      visitId: string;
    };
    headers: {
      "x-verification-token": string;
    };
    response: Schemas["SettlementTrialDto"];
  };
  "GET /api/v1/settlement/visits/{visitId}/settlements": {
    path: {
      visitId: string;
    };
    response: Array<Schemas["SettlementDto"]>;
  };
  "GET /api/v1/staff": {
    response: Array<Schemas["StaffViewDto"]>;
  };
  "POST /api/v1/staff": {
    body: Schemas["CreateStaffDto"];
    response: Schemas["StaffWithPasswordDto"];
  };
  "GET /api/v1/staff/session": {
    response: Schemas["StaffSessionDto"];
  };
  "POST /api/v1/staff/session": {
    body: Schemas["StaffLoginDto"];
    response: Schemas["StaffSessionDto"];
  };
  "DELETE /api/v1/staff/session": {
    response: void;
  };
  "POST /api/v1/staff/session/password": {
    body: Schemas["ChangeStaffPasswordDto"];
    response: Schemas["StaffSessionDto"];
  };
  "POST /api/v1/staff/{id}/disable": {
    path: {
      id: string;
    };
    body: Schemas["DisableStaffDto"];
    response: Schemas["StaffViewDto"];
  };
  "POST /api/v1/staff/{id}/reset": {
    path: {
      id: string;
    };
    response: Schemas["StaffWithPasswordDto"];
  };
  "POST /api/v1/trace-codes/batches": {
    body: Schemas["BatchDto"];
    response: Schemas["BatchResultDto"];
  };
  "GET /api/v1/trace-codes/desks/{desk}/active-line": {
    path: {
      desk: string;
    };
    response: Schemas["DeskLineDto"];
  };
  "PUT /api/v1/trace-codes/desks/{desk}/active-line": {
    path: {
      desk: string;
    };
    body: Schemas["LineRefDto"];
    response: Schemas["LineProgressDto"];
  };
  "GET /api/v1/trace-codes/product-mappings": {
    query?: {
      productCode?: string;
    };
    response: Array<Schemas["MappingViewDto"]>;
  };
  "PUT /api/v1/trace-codes/product-mappings": {
    body: Schemas["MappingsDto"];
    response: Schemas["CountDto"];
  };
  "POST /api/v1/trace-codes/receipts": {
    body: Schemas["CodesDto"];
    response: Schemas["ReceiptResultDto"];
  };
  "POST /api/v1/trace-codes/returns": {
    body: Schemas["ReturnDto"];
    response: Schemas["ReturnResultDto"];
  };
  "POST /api/v1/trace-codes/scans": {
    body: Schemas["ScanDto"];
    response: Schemas["ScanResultDto"];
  };
  "POST /api/v1/trace-codes/scraps": {
    body: Schemas["CodesWithReasonDto"];
    response: Schemas["ScrapResultDto"];
  };
  "GET /api/v1/trace-codes/visits/{visitId}/completeness": {
    path: {
      visitId: string;
    };
    response: Schemas["CompletenessDto"];
  };
  "GET /api/v1/trace-codes/visits/{visitId}/fee-lines": {
    path: {
      visitId: string;
    };
    response: Array<Schemas["FeeLineCodesDto"]>;
  };
  "PUT /api/v1/trace-codes/visits/{visitId}/lines": {
    path: {
      visitId: string;
    };
    body: Schemas["DeclareLinesDto"];
    response: Schemas["CompletenessDto"];
  };
  "GET /health": {
    response: Schemas["HealthDto"];
  };
  "GET /metrics": {
    response: string;
  };
}

export type Route = keyof Operations;
