import { PNG } from 'pngjs';
import { FormValues } from '../../src/forms/render/form-values';

/** A fully filled relapse filing form (Annex 1): believable Ningxia data, fixed for reference images. */
export function relapseSample(): FormValues {
  return {
    unitName: '宁夏银川建工集团有限公司',
    name: '马建国',
    sex: '男',
    birthDate: '1985-03-12',
    idNumber: '640104198503120319',
    phone: '13995112345',
    injuryDate: '2024-06-18',
    determinationDate: '2024-08-02',
    determinationNo: '宁人社工认〔2024〕0187号',
    workerCategory: '在职',
    injuredParts: '右手食指、中指',
    disabilityGrade: '九级',
    address: '宁夏银川市兴庆区解放东街88号',
    medicalHistory: '2024年6月右手压伤，经手术治疗后出院。近两周右手食指疼痛肿胀加重。',
    diagnosis: '右手食指关节僵硬，功能障碍加重',
    treatmentPeriod: '2026-03-05至2026-04-05',
    attendingDoctor: '李文',
    departmentHead: '王海燕',
    opinionDate: '2026-03-05',
  };
}

export function rehabSample(): FormValues {
  return {
    applicantName: '宁夏医科大学总医院',
    name: '马建国',
    sex: '男',
    birthDate: '1985-03-12',
    idNumber: '640104198503120319',
    address: '宁夏银川市兴庆区解放东街88号',
    unitName: '宁夏银川建工集团有限公司',
    occupation: '钢筋工',
    contactPerson: '马丽',
    phone: '13995112345',
    employmentDate: '2010-07-01',
    determinationNo: '宁人社工认〔2024〕0187号',
    determinationDate: '2024-08-02',
    disabilityGrade: '九级',
    injuryDate: '2024-06-18',
    injuredParts: '右手食指、中指',
    rehabIndication: '右手功能障碍，具有康复价值，建议转入康复治疗。',
  };
}

export function selfPaySample(): FormValues {
  return {
    hospitalName: '宁夏医科大学总医院',
    name: '马建国',
    sex: '男',
    idNumber: '640104198503120319',
    unitName: '宁夏银川建工集团有限公司',
    visitNo: 'ZY20260305001',
    determinationNo: '宁人社工认〔2024〕0187号',
    department: '手外科',
    diagnosis: '右手食指屈肌腱断裂',
    items: [
      { name: '进口可吸收缝线', amount: '268.00', reason: '不在工伤保险诊疗项目目录内' },
      { name: '人工骨修复材料', amount: '1520.50', reason: '超出工伤保险住院服务标准' },
    ],
    informingDoctor: '李文',
    informedDate: '2026-03-05',
  };
}

/** A fixed "handwritten" signature: a dark wavy stroke on white, 240×72, generated (no file needed). */
export function signaturePng(): Buffer {
  const png = new PNG({ width: 240, height: 72 });
  png.data.fill(255);
  for (let x = 10; x < 230; x++) {
    const y = Math.round(36 + 18 * Math.sin(x / 14) * Math.cos(x / 41));
    for (let dy = -2; dy <= 2; dy++) {
      const i = ((y + dy) * 240 + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = 20;
    }
  }
  return PNG.sync.write(png);
}
