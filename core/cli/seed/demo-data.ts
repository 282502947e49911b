// A fictional but realistic province for demos and benchmarks: its departments (sở), the national
// topic groups, and the datasets each department publishes. Names and titles are Vietnamese as
// agencies write them; dataset names are the slugs Kho proposes.

export interface DemoAgency {
  title: string;
  description: string;
  datasets: DemoDataset[];
}

export interface DemoDataset {
  title: string;
  notes: string;
  tags: string[];
  group: string;
  frequency: string;
  resources: Array<{ name: string; format: 'CSV' | 'XLSX' | 'JSON' | 'PDF' | 'GeoJSON' | 'API'; csv?: string[][] }>;
}

export const DEMO_PROVINCE = 'tỉnh Bình An';

export const DEMO_GROUPS: Array<{ title: string; description: string }> = [
  { title: 'Kinh tế - Tài chính', description: 'Ngân sách, đầu tư, doanh nghiệp, giá cả.' },
  { title: 'Giáo dục - Đào tạo', description: 'Trường học, học sinh, giáo viên, kết quả thi.' },
  { title: 'Y tế - Sức khỏe', description: 'Cơ sở y tế, dịch bệnh, bảo hiểm y tế.' },
  { title: 'Tài nguyên - Môi trường', description: 'Đất đai, nước, không khí, chất thải.' },
  { title: 'Giao thông - Vận tải', description: 'Đường bộ, bến xe, phương tiện, tai nạn giao thông.' },
  { title: 'Nông nghiệp - Nông thôn', description: 'Cây trồng, vật nuôi, thủy sản, nông thôn mới.' },
  { title: 'Văn hóa - Du lịch', description: 'Di tích, lễ hội, cơ sở lưu trú, lượt khách.' },
  { title: 'Dân cư - Lao động', description: 'Dân số, việc làm, an sinh xã hội.' },
  { title: 'Hành chính công', description: 'Thủ tục hành chính, dịch vụ công trực tuyến.' },
  { title: 'Khoa học - Công nghệ', description: 'Đề tài, doanh nghiệp khoa học, chuyển đổi số.' },
];

const years = ['2022', '2023', '2024'];

function ds(
  title: string,
  notes: string,
  group: string,
  tags: string[],
  resources: DemoDataset['resources'],
  frequency = 'Hằng năm',
): DemoDataset {
  return { title, notes, group, tags, resources, frequency };
}

const csvResource = (name: string, header: string[], rows: string[][]) => ({ name, format: 'CSV' as const, csv: [header, ...rows] });

export const DEMO_AGENCIES: DemoAgency[] = [
  {
    title: 'Sở Tài chính',
    description: 'Cơ quan chuyên môn tham mưu về tài chính, ngân sách nhà nước, giá và tài sản công.',
    datasets: [
      ds('Dự toán ngân sách địa phương năm 2024', 'Dự toán thu, chi ngân sách địa phương được Hội đồng nhân dân tỉnh quyết định.', 'Kinh tế - Tài chính', ['ngân sách', 'dự toán'], [
        csvResource('Dự toán thu chi 2024', ['Chỉ tiêu', 'Dự toán (triệu đồng)'], [['Tổng thu ngân sách', '12500000'], ['Thu nội địa', '9800000'], ['Tổng chi ngân sách', '15200000']]),
        { name: 'Quyết định giao dự toán', format: 'PDF' },
      ]),
      ds('Quyết toán ngân sách địa phương năm 2023', 'Số liệu quyết toán thu, chi ngân sách năm 2023.', 'Kinh tế - Tài chính', ['ngân sách', 'quyết toán'], [{ name: 'Quyết toán 2023', format: 'XLSX' }, { name: 'Thuyết minh quyết toán', format: 'PDF' }]),
      ds('Bảng giá đất giai đoạn 2020-2024', 'Bảng giá các loại đất áp dụng trên địa bàn tỉnh.', 'Tài nguyên - Môi trường', ['giá đất', 'đất đai'], [{ name: 'Bảng giá đất', format: 'XLSX' }], 'Khi có thay đổi'),
      ds('Danh mục tài sản công được công khai', 'Tài sản công tại các cơ quan, đơn vị thuộc tỉnh.', 'Kinh tế - Tài chính', ['tài sản công'], [{ name: 'Danh mục tài sản', format: 'CSV' }]),
      ds('Giá một số mặt hàng thiết yếu hằng tháng', 'Giá bán lẻ gạo, thịt lợn, xăng dầu, phân bón tại các chợ trung tâm.', 'Kinh tế - Tài chính', ['giá cả', 'thị trường'], [
        csvResource('Giá tháng gần nhất', ['Mặt hàng', 'Đơn vị', 'Giá (đồng)'], [['Gạo tẻ thường', 'kg', '15000'], ['Thịt lợn hơi', 'kg', '62000'], ['Xăng RON 95', 'lít', '23500']]),
      ], 'Hằng tháng'),
      ds('Công khai ngân sách cấp huyện', 'Số liệu thu chi ngân sách của các huyện, thị xã, thành phố.', 'Kinh tế - Tài chính', ['ngân sách', 'cấp huyện'], [{ name: 'Ngân sách cấp huyện', format: 'XLSX' }]),
      ds('Kết quả thực hành tiết kiệm, chống lãng phí', 'Báo cáo kết quả thực hành tiết kiệm hằng năm.', 'Hành chính công', ['tiết kiệm'], [{ name: 'Báo cáo', format: 'PDF' }]),
    ],
  },
  {
    title: 'Sở Kế hoạch và Đầu tư',
    description: 'Tham mưu về kế hoạch phát triển kinh tế - xã hội, đầu tư công, đăng ký doanh nghiệp.',
    datasets: [
      ds('Danh sách doanh nghiệp đăng ký thành lập mới', 'Doanh nghiệp được cấp giấy chứng nhận đăng ký doanh nghiệp trong kỳ.', 'Kinh tế - Tài chính', ['doanh nghiệp', 'đăng ký kinh doanh'], [
        csvResource('Doanh nghiệp mới', ['Mã số doanh nghiệp', 'Tên doanh nghiệp', 'Ngành nghề chính', 'Huyện'], [['4101234567', 'Công ty TNHH Nông sản Bình An', 'Chế biến nông sản', 'Tuy Phước'], ['4101234568', 'Công ty CP Du lịch Biển Xanh', 'Lưu trú', 'Quy Nhơn']]),
        { name: 'Doanh nghiệp mới (JSON)', format: 'JSON' },
      ], 'Hằng tháng'),
      ds('Danh mục dự án đầu tư công trung hạn', 'Kế hoạch đầu tư công trung hạn giai đoạn 2021-2025.', 'Kinh tế - Tài chính', ['đầu tư công'], [{ name: 'Danh mục dự án', format: 'XLSX' }]),
      ds('Dự án đầu tư trực tiếp nước ngoài (FDI)', 'Các dự án FDI còn hiệu lực trên địa bàn tỉnh.', 'Kinh tế - Tài chính', ['FDI', 'đầu tư nước ngoài'], [{ name: 'Dự án FDI', format: 'CSV' }]),
      ds('Chỉ tiêu kinh tế - xã hội chủ yếu', 'Các chỉ tiêu kế hoạch và kết quả thực hiện hằng năm.', 'Kinh tế - Tài chính', ['kinh tế xã hội', 'chỉ tiêu'], [{ name: 'Chỉ tiêu', format: 'XLSX' }]),
      ds('Danh mục dự án kêu gọi đầu tư', 'Dự án tỉnh kêu gọi nhà đầu tư, kèm quy mô và địa điểm.', 'Kinh tế - Tài chính', ['xúc tiến đầu tư'], [{ name: 'Danh mục', format: 'PDF' }, { name: 'Bản đồ vị trí dự án', format: 'GeoJSON' }]),
      ds('Doanh nghiệp tạm ngừng, giải thể', 'Doanh nghiệp tạm ngừng kinh doanh hoặc giải thể trong kỳ.', 'Kinh tế - Tài chính', ['doanh nghiệp'], [{ name: 'Danh sách', format: 'CSV' }], 'Hằng tháng'),
    ],
  },
  {
    title: 'Sở Tài nguyên và Môi trường',
    description: 'Quản lý đất đai, tài nguyên nước, khoáng sản, môi trường, biển và hải đảo.',
    datasets: [
      ds('Kết quả quan trắc chất lượng không khí', 'Chỉ số chất lượng không khí (VN_AQI) tại các trạm quan trắc tự động.', 'Tài nguyên - Môi trường', ['môi trường', 'không khí', 'quan trắc'], [
        csvResource('VN_AQI theo ngày', ['Trạm', 'Ngày', 'VN_AQI', 'PM2.5'], [['Quy Nhơn', '2024-10-01', '42', '12.5'], ['Phù Cát', '2024-10-01', '35', '9.8']]),
        { name: 'API dữ liệu quan trắc', format: 'API' },
      ], 'Hằng ngày'),
      ds('Quy hoạch sử dụng đất cấp tỉnh', 'Quy hoạch sử dụng đất thời kỳ 2021-2030.', 'Tài nguyên - Môi trường', ['đất đai', 'quy hoạch'], [{ name: 'Bản đồ quy hoạch', format: 'GeoJSON' }, { name: 'Quyết định phê duyệt', format: 'PDF' }], 'Khi có thay đổi'),
      ds('Danh sách giấy phép khai thác khoáng sản', 'Giấy phép còn hiệu lực, khu vực và công suất khai thác.', 'Tài nguyên - Môi trường', ['khoáng sản', 'giấy phép'], [{ name: 'Giấy phép', format: 'CSV' }]),
      ds('Chất lượng nước mặt các sông chính', 'Kết quả quan trắc định kỳ chất lượng nước sông Kôn, sông Hà Thanh.', 'Tài nguyên - Môi trường', ['nước mặt', 'quan trắc'], [{ name: 'Kết quả quan trắc', format: 'XLSX' }], 'Hằng quý'),
      ds('Thống kê đất đai theo đơn vị hành chính', 'Diện tích đất theo mục đích sử dụng của từng huyện.', 'Tài nguyên - Môi trường', ['đất đai', 'thống kê'], [{ name: 'Thống kê đất đai', format: 'XLSX' }]),
      ds('Cơ sở gây ô nhiễm môi trường nghiêm trọng', 'Danh sách cơ sở và tiến độ xử lý.', 'Tài nguyên - Môi trường', ['ô nhiễm'], [{ name: 'Danh sách cơ sở', format: 'CSV' }]),
      ds('Điểm thu gom chất thải rắn sinh hoạt', 'Vị trí điểm tập kết, trung chuyển chất thải rắn.', 'Tài nguyên - Môi trường', ['chất thải'], [{ name: 'Điểm thu gom', format: 'GeoJSON' }]),
    ],
  },
  {
    title: 'Sở Giáo dục và Đào tạo',
    description: 'Quản lý giáo dục mầm non, phổ thông, thường xuyên và đào tạo.',
    datasets: [
      ds('Danh sách trường học trên địa bàn tỉnh', 'Trường mầm non, tiểu học, trung học cơ sở và trung học phổ thông, có địa chỉ và loại hình.', 'Giáo dục - Đào tạo', ['trường học', 'giáo dục'], [
        csvResource('Danh sách trường học', ['Mã trường', 'Tên trường', 'Cấp học', 'Huyện', 'Loại hình'], [['52001', 'Trường THPT Quốc Học Quy Nhơn', 'THPT', 'Quy Nhơn', 'Công lập'], ['52002', 'Trường THCS Lê Hồng Phong', 'THCS', 'Quy Nhơn', 'Công lập'], ['52003', 'Trường Tiểu học Nhơn Bình', 'Tiểu học', 'Quy Nhơn', 'Công lập']]),
        { name: 'Bản đồ trường học', format: 'GeoJSON' },
      ]),
      ds('Kết quả thi tốt nghiệp trung học phổ thông', 'Điểm trung bình, tỷ lệ tốt nghiệp theo trường.', 'Giáo dục - Đào tạo', ['thi tốt nghiệp', 'THPT'], [{ name: 'Kết quả thi', format: 'XLSX' }]),
      ds('Số lượng học sinh, giáo viên theo cấp học', 'Thống kê đầu năm học.', 'Giáo dục - Đào tạo', ['học sinh', 'giáo viên'], [{ name: 'Thống kê đầu năm', format: 'CSV' }]),
      ds('Trường đạt chuẩn quốc gia', 'Danh sách trường đạt chuẩn quốc gia mức độ 1, 2.', 'Giáo dục - Đào tạo', ['chuẩn quốc gia'], [{ name: 'Danh sách', format: 'CSV' }]),
      ds('Tuyển sinh lớp 10 công lập', 'Chỉ tiêu, điểm chuẩn tuyển sinh lớp 10.', 'Giáo dục - Đào tạo', ['tuyển sinh'], [{ name: 'Điểm chuẩn', format: 'XLSX' }]),
      ds('Cơ sở giáo dục nghề nghiệp', 'Trường cao đẳng, trung cấp, trung tâm giáo dục nghề nghiệp.', 'Giáo dục - Đào tạo', ['giáo dục nghề nghiệp'], [{ name: 'Danh sách cơ sở', format: 'CSV' }]),
    ],
  },
  {
    title: 'Sở Y tế',
    description: 'Quản lý y tế dự phòng, khám chữa bệnh, dược, an toàn thực phẩm, bảo hiểm y tế.',
    datasets: [
      ds('Danh sách cơ sở khám bệnh, chữa bệnh', 'Bệnh viện, trạm y tế, phòng khám được cấp phép hoạt động.', 'Y tế - Sức khỏe', ['y tế', 'bệnh viện'], [
        csvResource('Cơ sở khám chữa bệnh', ['Tên cơ sở', 'Loại', 'Địa chỉ', 'Số giường'], [['Bệnh viện Đa khoa tỉnh', 'Bệnh viện', '106 Nguyễn Huệ, Quy Nhơn', '1200'], ['Trạm Y tế xã Phước Thành', 'Trạm y tế', 'Tuy Phước', '5']]),
      ]),
      ds('Nhà thuốc đạt chuẩn GPP', 'Danh sách nhà thuốc đạt thực hành tốt cơ sở bán lẻ thuốc.', 'Y tế - Sức khỏe', ['dược', 'nhà thuốc'], [{ name: 'Nhà thuốc GPP', format: 'CSV' }], 'Hằng quý'),
      ds('Tình hình dịch bệnh truyền nhiễm', 'Số ca mắc sốt xuất huyết, tay chân miệng theo tuần.', 'Y tế - Sức khỏe', ['dịch bệnh', 'sốt xuất huyết'], [{ name: 'Số ca theo tuần', format: 'CSV' }], 'Hằng tuần'),
      ds('Tỷ lệ tiêm chủng mở rộng', 'Tỷ lệ trẻ em được tiêm chủng đầy đủ theo huyện.', 'Y tế - Sức khỏe', ['tiêm chủng'], [{ name: 'Tỷ lệ tiêm chủng', format: 'XLSX' }]),
      ds('Cơ sở sản xuất thực phẩm được cấp giấy chứng nhận an toàn thực phẩm', 'Danh sách cơ sở đủ điều kiện an toàn thực phẩm.', 'Y tế - Sức khỏe', ['an toàn thực phẩm'], [{ name: 'Danh sách', format: 'CSV' }]),
      ds('Nhân lực y tế theo tuyến', 'Số bác sĩ, điều dưỡng, dược sĩ theo tuyến tỉnh, huyện, xã.', 'Y tế - Sức khỏe', ['nhân lực y tế'], [{ name: 'Nhân lực', format: 'XLSX' }]),
    ],
  },
  {
    title: 'Sở Giao thông vận tải',
    description: 'Quản lý kết cấu hạ tầng giao thông, vận tải, phương tiện và người lái.',
    datasets: [
      ds('Tuyến xe buýt nội tỉnh', 'Lộ trình, tần suất, giá vé các tuyến xe buýt.', 'Giao thông - Vận tải', ['xe buýt', 'giao thông công cộng'], [
        csvResource('Tuyến xe buýt', ['Số hiệu', 'Lộ trình', 'Giãn cách (phút)', 'Giá vé (đồng)'], [['01', 'Quy Nhơn - Tuy Phước', '20', '10000'], ['02', 'Quy Nhơn - Phù Cát', '30', '20000']]),
        { name: 'Lộ trình (GeoJSON)', format: 'GeoJSON' },
      ]),
      ds('Danh mục đường tỉnh', 'Chiều dài, cấp kỹ thuật, tình trạng các tuyến đường tỉnh.', 'Giao thông - Vận tải', ['đường bộ', 'hạ tầng'], [{ name: 'Danh mục đường tỉnh', format: 'XLSX' }]),
      ds('Bến xe khách và tuyến vận tải liên tỉnh', 'Bến xe, tuyến cố định (Quy Nhơn - Thành phố Hà Nội, Quy Nhơn - Thành phố Hồ Chí Minh, …) và doanh nghiệp khai thác.', 'Giao thông - Vận tải', ['bến xe', 'vận tải'], [
        csvResource('Tuyến liên tỉnh', ['Tuyến', 'Bến đi', 'Bến đến', 'Cự ly (km)'], [['Quy Nhơn - Hà Nội', 'Bến xe Quy Nhơn', 'Bến xe Giáp Bát', '1070'], ['Quy Nhơn - TP. Hồ Chí Minh', 'Bến xe Quy Nhơn', 'Bến xe Miền Đông', '650']]),
      ]),
      ds('Tình hình tai nạn giao thông', 'Số vụ, số người chết, bị thương theo tháng.', 'Giao thông - Vận tải', ['tai nạn giao thông'], [{ name: 'Thống kê tai nạn', format: 'CSV' }], 'Hằng tháng'),
      ds('Cơ sở đào tạo lái xe', 'Cơ sở đào tạo, sân sát hạch lái xe được cấp phép.', 'Giao thông - Vận tải', ['đào tạo lái xe'], [{ name: 'Danh sách', format: 'CSV' }]),
      ds('Điểm đen tai nạn giao thông', 'Vị trí điểm đen và biện pháp khắc phục.', 'Giao thông - Vận tải', ['điểm đen', 'an toàn giao thông'], [{ name: 'Điểm đen', format: 'GeoJSON' }]),
    ],
  },
  {
    title: 'Sở Nông nghiệp và Phát triển nông thôn',
    description: 'Quản lý trồng trọt, chăn nuôi, thủy sản, lâm nghiệp, thủy lợi và nông thôn mới.',
    datasets: [
      ds('Diện tích, năng suất, sản lượng lúa', 'Số liệu theo vụ Đông Xuân, Hè Thu, Mùa.', 'Nông nghiệp - Nông thôn', ['lúa', 'trồng trọt'], [
        csvResource('Lúa theo vụ', ['Vụ', 'Diện tích (ha)', 'Năng suất (tạ/ha)', 'Sản lượng (tấn)'], [['Đông Xuân 2024', '48200', '68.5', '330170'], ['Hè Thu 2024', '39100', '62.1', '242811']]),
      ], 'Theo mùa vụ'),
      ds('Xã đạt chuẩn nông thôn mới', 'Danh sách xã đạt chuẩn, nâng cao, kiểu mẫu.', 'Nông nghiệp - Nông thôn', ['nông thôn mới'], [{ name: 'Danh sách xã', format: 'CSV' }]),
      ds('Tàu cá và sản lượng khai thác thủy sản', 'Số tàu cá theo công suất và sản lượng khai thác.', 'Nông nghiệp - Nông thôn', ['thủy sản', 'tàu cá'], [{ name: 'Tàu cá', format: 'XLSX' }]),
      ds('Hiện trạng rừng', 'Diện tích rừng tự nhiên, rừng trồng, độ che phủ.', 'Nông nghiệp - Nông thôn', ['lâm nghiệp', 'rừng'], [{ name: 'Hiện trạng rừng', format: 'GeoJSON' }]),
      ds('Công trình thủy lợi', 'Hồ chứa, đập dâng, kênh mương và dung tích.', 'Nông nghiệp - Nông thôn', ['thủy lợi', 'hồ chứa'], [{ name: 'Hồ chứa', format: 'CSV' }]),
      ds('Sản phẩm OCOP', 'Sản phẩm đạt 3 sao, 4 sao, 5 sao của chương trình mỗi xã một sản phẩm.', 'Nông nghiệp - Nông thôn', ['OCOP'], [{ name: 'Sản phẩm OCOP', format: 'CSV' }]),
      ds('Tình hình dịch bệnh trên đàn gia súc, gia cầm', 'Ổ dịch, số con mắc, tiêu hủy.', 'Nông nghiệp - Nông thôn', ['chăn nuôi', 'dịch bệnh động vật'], [{ name: 'Ổ dịch', format: 'CSV' }], 'Hằng tháng'),
    ],
  },
  {
    title: 'Sở Lao động - Thương binh và Xã hội',
    description: 'Quản lý lao động, việc làm, người có công, bảo trợ xã hội, trẻ em.',
    datasets: [
      ds('Hộ nghèo, hộ cận nghèo theo huyện', 'Kết quả rà soát hộ nghèo, cận nghèo hằng năm.', 'Dân cư - Lao động', ['hộ nghèo', 'giảm nghèo'], [
        csvResource('Hộ nghèo theo huyện', ['Huyện', 'Hộ nghèo', 'Hộ cận nghèo', 'Tỷ lệ hộ nghèo (%)'], [['An Lão', '2150', '830', '21.4'], ['Quy Nhơn', '410', '620', '0.5']]),
      ]),
      ds('Người lao động đi làm việc ở nước ngoài', 'Số lao động theo thị trường.', 'Dân cư - Lao động', ['xuất khẩu lao động'], [{ name: 'Theo thị trường', format: 'XLSX' }]),
      ds('Cơ sở trợ giúp xã hội', 'Cơ sở bảo trợ xã hội công lập và ngoài công lập.', 'Dân cư - Lao động', ['bảo trợ xã hội'], [{ name: 'Danh sách', format: 'CSV' }]),
      ds('Thông tin thị trường lao động', 'Nhu cầu tuyển dụng, người tìm việc tại trung tâm dịch vụ việc làm.', 'Dân cư - Lao động', ['việc làm', 'tuyển dụng'], [{ name: 'Nhu cầu tuyển dụng', format: 'CSV' }], 'Hằng tháng'),
      ds('Đối tượng hưởng trợ cấp xã hội hằng tháng', 'Số đối tượng theo nhóm và huyện.', 'Dân cư - Lao động', ['trợ cấp xã hội'], [{ name: 'Đối tượng', format: 'XLSX' }]),
    ],
  },
  {
    title: 'Sở Văn hóa, Thể thao và Du lịch',
    description: 'Quản lý văn hóa, gia đình, thể dục thể thao và du lịch.',
    datasets: [
      ds('Di tích lịch sử - văn hóa được xếp hạng', 'Di tích cấp quốc gia đặc biệt, quốc gia và cấp tỉnh.', 'Văn hóa - Du lịch', ['di tích', 'văn hóa'], [
        csvResource('Di tích xếp hạng', ['Tên di tích', 'Cấp xếp hạng', 'Huyện'], [['Tháp Đôi', 'Quốc gia', 'Quy Nhơn'], ['Thành Hoàng Đế', 'Quốc gia đặc biệt', 'An Nhơn']]),
        { name: 'Bản đồ di tích', format: 'GeoJSON' },
      ]),
      ds('Cơ sở lưu trú du lịch', 'Khách sạn, nhà nghỉ, homestay đã được xếp hạng hoặc thẩm định.', 'Văn hóa - Du lịch', ['du lịch', 'lưu trú'], [{ name: 'Cơ sở lưu trú', format: 'CSV' }], 'Hằng quý'),
      ds('Lượt khách du lịch và doanh thu', 'Lượt khách trong nước, quốc tế và doanh thu du lịch theo tháng.', 'Văn hóa - Du lịch', ['du lịch', 'thống kê'], [{ name: 'Lượt khách', format: 'CSV' }], 'Hằng tháng'),
      ds('Lễ hội truyền thống', 'Tên lễ hội, thời gian, địa điểm tổ chức.', 'Văn hóa - Du lịch', ['lễ hội'], [{ name: 'Lễ hội', format: 'CSV' }]),
      ds('Thiết chế văn hóa, thể thao cơ sở', 'Nhà văn hóa, sân thể thao cấp xã, thôn.', 'Văn hóa - Du lịch', ['thiết chế văn hóa', 'thể thao'], [{ name: 'Thiết chế', format: 'XLSX' }]),
    ],
  },
  {
    title: 'Sở Xây dựng',
    description: 'Quản lý quy hoạch xây dựng, nhà ở, vật liệu xây dựng, hạ tầng kỹ thuật đô thị.',
    datasets: [
      ds('Giấy phép xây dựng đã cấp', 'Giấy phép xây dựng do Sở cấp trong kỳ.', 'Hành chính công', ['giấy phép xây dựng'], [{ name: 'Giấy phép', format: 'CSV' }], 'Hằng tháng'),
      ds('Dự án nhà ở xã hội', 'Dự án, số căn hộ, tiến độ và điều kiện mua.', 'Dân cư - Lao động', ['nhà ở xã hội'], [
        csvResource('Dự án nhà ở xã hội', ['Dự án', 'Số căn', 'Tiến độ'], [['Nhà ở xã hội Nhơn Bình', '1200', 'Đang xây dựng'], ['Chung cư Hưng Thịnh', '480', 'Đã bàn giao']]),
      ]),
      ds('Chỉ số giá xây dựng', 'Chỉ số giá xây dựng công trình theo quý.', 'Kinh tế - Tài chính', ['giá xây dựng'], [{ name: 'Chỉ số giá', format: 'XLSX' }], 'Hằng quý'),
      ds('Quy hoạch chung đô thị', 'Đồ án quy hoạch chung các đô thị trong tỉnh.', 'Tài nguyên - Môi trường', ['quy hoạch đô thị'], [{ name: 'Đồ án', format: 'PDF' }]),
      ds('Giá vật liệu xây dựng', 'Công bố giá vật liệu xây dựng hằng tháng.', 'Kinh tế - Tài chính', ['vật liệu xây dựng', 'giá cả'], [{ name: 'Bảng giá', format: 'XLSX' }], 'Hằng tháng'),
    ],
  },
  {
    title: 'Sở Khoa học và Công nghệ',
    description: 'Quản lý khoa học, công nghệ, tiêu chuẩn đo lường chất lượng, sở hữu trí tuệ.',
    datasets: [
      ds('Nhiệm vụ khoa học và công nghệ cấp tỉnh', 'Đề tài, dự án được phê duyệt và kết quả nghiệm thu.', 'Khoa học - Công nghệ', ['khoa học', 'đề tài'], [
        csvResource('Nhiệm vụ KH&CN', ['Mã số', 'Tên nhiệm vụ', 'Chủ nhiệm', 'Kết quả'], [['ĐT-2023-01', 'Ứng dụng AI dự báo mặn xâm nhập', 'TS. Nguyễn Văn An', 'Đạt'], ['ĐT-2023-02', 'Giống lúa chịu hạn', 'ThS. Trần Thị Bình', 'Xuất sắc']]),
      ]),
      ds('Doanh nghiệp khoa học và công nghệ', 'Doanh nghiệp được chứng nhận doanh nghiệp khoa học và công nghệ.', 'Khoa học - Công nghệ', ['doanh nghiệp khoa học'], [{ name: 'Danh sách', format: 'CSV' }]),
      ds('Phương tiện đo được kiểm định', 'Số phương tiện đo được kiểm định, hiệu chuẩn.', 'Khoa học - Công nghệ', ['đo lường'], [{ name: 'Kiểm định', format: 'XLSX' }]),
      ds('Văn bằng sở hữu công nghiệp', 'Nhãn hiệu, chỉ dẫn địa lý của tổ chức, cá nhân trong tỉnh.', 'Khoa học - Công nghệ', ['sở hữu trí tuệ', 'nhãn hiệu'], [{ name: 'Văn bằng', format: 'CSV' }]),
      ds('Chỉ số chuyển đổi số cấp tỉnh', 'Kết quả đánh giá chuyển đổi số của các sở, ngành, huyện.', 'Khoa học - Công nghệ', ['chuyển đổi số'], [{ name: 'Chỉ số', format: 'XLSX' }]),
    ],
  },
  {
    title: 'Cục Thống kê tỉnh',
    description: 'Thu thập, tổng hợp, phổ biến thông tin thống kê kinh tế - xã hội của tỉnh.',
    datasets: [
      ds('Dân số trung bình phân theo huyện', 'Dân số trung bình, mật độ dân số theo giới tính và thành thị, nông thôn.', 'Dân cư - Lao động', ['dân số', 'thống kê'], [
        csvResource('Dân số theo huyện', ['Huyện', 'Dân số (người)', 'Diện tích (km²)', 'Mật độ (người/km²)'], [['Quy Nhơn', '290000', '286', '1014'], ['An Nhơn', '178000', '245', '727'], ['An Lão', '28000', '690', '41']]),
      ]),
      ds('Tổng sản phẩm trên địa bàn (GRDP)', 'GRDP theo giá hiện hành và giá so sánh, cơ cấu kinh tế.', 'Kinh tế - Tài chính', ['GRDP', 'kinh tế'], [{ name: 'GRDP', format: 'XLSX' }]),
      ds('Niên giám thống kê tỉnh', 'Niên giám thống kê hằng năm.', 'Kinh tế - Tài chính', ['niên giám', 'thống kê'], [{ name: 'Niên giám', format: 'PDF' }]),
      ds('Chỉ số giá tiêu dùng (CPI)', 'CPI hằng tháng theo nhóm hàng.', 'Kinh tế - Tài chính', ['CPI', 'giá cả'], [{ name: 'CPI', format: 'CSV' }], 'Hằng tháng'),
      ds('Lao động và việc làm', 'Lực lượng lao động, tỷ lệ thất nghiệp, thiếu việc làm.', 'Dân cư - Lao động', ['lao động', 'thất nghiệp'], [{ name: 'Lao động', format: 'XLSX' }], 'Hằng quý'),
      ds('Chỉ số sản xuất công nghiệp (IIP)', 'IIP hằng tháng theo ngành công nghiệp cấp 2.', 'Kinh tế - Tài chính', ['công nghiệp', 'IIP'], [{ name: 'IIP', format: 'CSV' }], 'Hằng tháng'),
    ],
  },
  {
    title: 'Văn phòng Ủy ban nhân dân tỉnh',
    description: 'Tham mưu tổng hợp, kiểm soát thủ tục hành chính, Trung tâm Phục vụ hành chính công.',
    datasets: [
      ds('Danh mục thủ tục hành chính', 'Thủ tục hành chính thuộc thẩm quyền giải quyết của các cấp chính quyền tỉnh.', 'Hành chính công', ['thủ tục hành chính'], [
        csvResource('Thủ tục hành chính', ['Mã thủ tục', 'Tên thủ tục', 'Cơ quan giải quyết', 'Mức độ dịch vụ công'], [['1.001234', 'Cấp giấy phép xây dựng', 'Sở Xây dựng', 'Toàn trình'], ['1.005678', 'Đăng ký thành lập doanh nghiệp', 'Sở Kế hoạch và Đầu tư', 'Toàn trình']]),
      ], 'Khi có thay đổi'),
      ds('Kết quả giải quyết hồ sơ hành chính', 'Số hồ sơ tiếp nhận, giải quyết đúng hạn, quá hạn theo cơ quan.', 'Hành chính công', ['hồ sơ hành chính', 'dịch vụ công'], [{ name: 'Kết quả giải quyết', format: 'CSV' }], 'Hằng tháng'),
      ds('Chỉ số cải cách hành chính (PAR Index)', 'Kết quả chấm điểm cải cách hành chính các sở, ngành.', 'Hành chính công', ['cải cách hành chính'], [{ name: 'PAR Index', format: 'XLSX' }]),
      ds('Phản ánh, kiến nghị của người dân', 'Số phản ánh tiếp nhận và kết quả xử lý.', 'Hành chính công', ['phản ánh kiến nghị'], [{ name: 'Phản ánh', format: 'CSV' }], 'Hằng tháng'),
    ],
  },
];

export function demoYears(): string[] {
  return years;
}
