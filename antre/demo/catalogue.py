"""The agencies (instansi) of the demo city and the services (layanan) they
offer, with the documents a citizen brings for each. Names and requirements are
data in Indonesian, as an agency would type them into the back office, not
interface text, so they do not go through gettext."""

from __future__ import annotations

from typing import Final

from antre.demo.records import AgencyData, ServiceData

AGENCIES: Final = (
    AgencyData("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil Kota Bekasi", "Disdukcapil"),
    AgencyData("polres", "Kepolisian Resor Metro Bekasi Kota", "Polres Metro Bekasi Kota"),
    AgencyData("samsat", "Samsat Kota Bekasi (Bapenda Provinsi Jawa Barat)", "Samsat"),
    AgencyData("bpjs-kesehatan", "BPJS Kesehatan Kantor Cabang Bekasi", "BPJS Kesehatan"),
    AgencyData(
        "bpjs-ketenagakerjaan", "BPJS Ketenagakerjaan Kantor Cabang Bekasi", "BPJS Ketenagakerjaan"
    ),
    AgencyData("imigrasi", "Kantor Imigrasi Bekasi", "Imigrasi"),
    AgencyData("djp", "KPP Pratama Bekasi Selatan (Direktorat Jenderal Pajak)", "Pajak (DJP)"),
    AgencyData("bapenda", "Badan Pendapatan Daerah Kota Bekasi", "Bapenda Kota Bekasi"),
    AgencyData(
        "dpmptsp",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Bekasi",
        "DPMPTSP",
    ),
    AgencyData("pdam-tirta-patriot", "Perumda Air Minum Tirta Patriot", "PDAM Tirta Patriot"),
    AgencyData("kemenag", "Kantor Kementerian Agama Kota Bekasi", "Kemenag"),
    AgencyData("disnaker", "Dinas Ketenagakerjaan Kota Bekasi", "Disnaker"),
    AgencyData("dinkes", "Dinas Kesehatan Kota Bekasi", "Dinkes"),
    AgencyData("dishub", "Dinas Perhubungan Kota Bekasi", "Dishub"),
    AgencyData("bpn", "Kantor Pertanahan Kota Bekasi (ATR/BPN)", "BPN"),
    AgencyData("pengadilan-agama", "Pengadilan Agama Bekasi", "Pengadilan Agama"),
    AgencyData("kejaksaan", "Kejaksaan Negeri Kota Bekasi", "Kejari"),
    AgencyData("pln", "PT PLN (Persero) UP3 Bekasi", "PLN"),
    AgencyData("bank-bjb", "Bank bjb Kantor Cabang Bekasi", "bank bjb"),
    AgencyData("taspen", "PT Taspen (Persero) Kantor Cabang Bekasi", "Taspen"),
    AgencyData("pos-indonesia", "PT Pos Indonesia (Persero) KCU Bekasi", "Pos Indonesia"),
    AgencyData("bnn", "Badan Narkotika Nasional Kota Bekasi", "BNN Kota Bekasi"),
    AgencyData("dinsos", "Dinas Sosial Kota Bekasi", "Dinsos"),
    AgencyData("diskop-ukm", "Dinas Koperasi dan UKM Kota Bekasi", "Diskop UKM"),
)

KTP = "KTP-el asli"
KTP_COPY = "KTP-el asli dan fotokopinya"
KK_COPY = "Fotokopi Kartu Keluarga"

# Ticket prefixes are unique across the whole city (single letters for the
# busiest services, I and O left out because they read as 1 and 0), so that
# they are distinct at every site whatever a site offers.
SERVICES: Final = (
    # Disdukcapil
    ServiceData(
        agency="disdukcapil",
        slug="perekaman-ktp-el",
        name="Perekaman KTP-el",
        ticket_prefix="A",
        duration_minutes=15,
        requirements=(KK_COPY, "Telah berusia 17 tahun, sudah atau pernah menikah"),
        description="Perekaman biometrik (foto, sidik jari, iris mata) untuk KTP-el pertama.",
        walk_in_daily_quota=30,
    ),
    ServiceData(
        agency="disdukcapil",
        slug="pencetakan-ktp-el",
        name="Pencetakan KTP-el (Rusak, Hilang, Perubahan Data)",
        ticket_prefix="B",
        duration_minutes=15,
        requirements=(
            "KTP-el lama yang rusak, atau surat keterangan kehilangan dari kepolisian",
            KK_COPY,
            "Dokumen pendukung perubahan data (mis. buku nikah, ijazah)",
        ),
    ),
    ServiceData(
        agency="disdukcapil",
        slug="kartu-keluarga",
        name="Penerbitan Kartu Keluarga",
        ticket_prefix="C",
        duration_minutes=20,
        requirements=(
            "Kartu Keluarga lama",
            "Buku nikah/akta perkawinan atau akta kelahiran anggota yang ditambahkan",
            "Formulir F-1.01 yang telah diisi",
            "Surat pengantar RT/RW",
        ),
        description="KK baru, penambahan atau pengurangan anggota, dan perubahan data.",
    ),
    ServiceData(
        agency="disdukcapil",
        slug="akta-kelahiran",
        name="Akta Kelahiran",
        ticket_prefix="D",
        duration_minutes=20,
        requirements=(
            "Surat keterangan lahir dari rumah sakit, puskesmas, atau bidan",
            "Fotokopi Kartu Keluarga orang tua",
            "Fotokopi buku nikah/akta perkawinan orang tua",
            "KTP-el dua orang saksi",
            "Formulir F-2.01 yang telah diisi",
        ),
    ),
    ServiceData(
        agency="disdukcapil",
        slug="akta-kematian",
        name="Akta Kematian",
        ticket_prefix="E",
        duration_minutes=20,
        requirements=(
            "Surat keterangan kematian dari rumah sakit atau kelurahan",
            "Kartu Keluarga dan KTP-el almarhum/almarhumah",
            "KTP-el pelapor dan dua orang saksi",
            "Formulir F-2.01 yang telah diisi",
        ),
    ),
    ServiceData(
        agency="disdukcapil",
        slug="kartu-identitas-anak",
        name="Kartu Identitas Anak (KIA)",
        ticket_prefix="F",
        duration_minutes=10,
        requirements=(
            "Fotokopi akta kelahiran anak",
            "Kartu Keluarga asli",
            "KTP-el kedua orang tua",
            "Pas foto anak berwarna 2x3 dua lembar (anak usia 5 tahun ke atas)",
        ),
    ),
    ServiceData(
        agency="disdukcapil",
        slug="surat-pindah",
        name="Surat Keterangan Pindah (SKPWNI)",
        ticket_prefix="G",
        duration_minutes=20,
        requirements=(
            "Kartu Keluarga asli",
            "KTP-el seluruh anggota keluarga yang pindah",
            "Formulir F-1.03 yang telah diisi",
            "Surat pengantar RT/RW",
        ),
    ),
    # Polres Metro Bekasi Kota
    ServiceData(
        agency="polres",
        slug="skck-baru",
        name="Penerbitan SKCK Baru",
        ticket_prefix="H",
        duration_minutes=20,
        requirements=(
            KTP_COPY,
            KK_COPY,
            "Fotokopi akta kelahiran atau ijazah terakhir",
            "Pas foto berwarna 4x6 latar merah enam lembar",
            "Formulir sidik jari (dapat diambil di tempat)",
        ),
        description=(
            "Surat Keterangan Catatan Kepolisian untuk melamar kerja, sekolah, dan lain-lain."
        ),
    ),
    ServiceData(
        agency="polres",
        slug="perpanjangan-skck",
        name="Perpanjangan SKCK",
        ticket_prefix="J",
        duration_minutes=15,
        requirements=(
            "SKCK lama (asli atau fotokopi legalisir), paling lama satu tahun lewat masa berlaku",
            KTP_COPY,
            KK_COPY,
            "Pas foto berwarna 4x6 latar merah dua lembar",
        ),
    ),
    ServiceData(
        agency="polres",
        slug="perpanjangan-sim",
        name="Perpanjangan SIM A dan C",
        ticket_prefix="S",
        duration_minutes=20,
        requirements=(
            "SIM lama yang masih berlaku (SIM yang lewat masa berlaku harus dibuat baru)",
            KTP_COPY,
            "Surat keterangan sehat jasmani dari dokter",
            "Sertifikat hasil tes psikologi (dapat dilakukan daring)",
        ),
        description="Perpanjangan SIM A dan SIM C sebelum masa berlakunya habis.",
        walk_in_daily_quota=10,
    ),
    # Samsat
    ServiceData(
        agency="samsat",
        slug="pajak-kendaraan-tahunan",
        name="Pengesahan STNK dan Pajak Kendaraan Tahunan",
        ticket_prefix="P",
        duration_minutes=10,
        requirements=(
            KTP,
            "STNK asli",
            "BPKB asli atau surat keterangan leasing bila kendaraan kredit",
        ),
        walk_in_daily_quota=40,
    ),
    ServiceData(
        agency="samsat",
        slug="stnk-lima-tahunan",
        name="Penggantian STNK dan TNKB Lima Tahunan",
        ticket_prefix="Q",
        duration_minutes=30,
        requirements=(
            KTP,
            "STNK asli",
            "BPKB asli dan fotokopinya",
            "Kendaraan dibawa untuk cek fisik nomor rangka dan nomor mesin",
        ),
    ),
    ServiceData(
        agency="samsat",
        slug="balik-nama-kendaraan",
        name="Bea Balik Nama Kendaraan Bermotor (BBNKB II)",
        ticket_prefix="BB",
        duration_minutes=30,
        requirements=(
            "KTP-el pemilik baru",
            "STNK dan BPKB asli",
            "Kuitansi jual beli bermeterai",
            "Hasil cek fisik kendaraan",
        ),
    ),
    # BPJS Kesehatan
    ServiceData(
        agency="bpjs-kesehatan",
        slug="pendaftaran-jkn",
        name="Pendaftaran Peserta JKN",
        ticket_prefix="L",
        duration_minutes=15,
        requirements=(
            KTP,
            "Kartu Keluarga",
            "Nomor rekening atau virtual account untuk autodebet iuran",
        ),
    ),
    ServiceData(
        agency="bpjs-kesehatan",
        slug="perubahan-data-jkn",
        name="Perubahan Data Peserta dan Pindah Faskes JKN",
        ticket_prefix="M",
        duration_minutes=10,
        requirements=(KTP, "Kartu JKN/KIS", "Dokumen pendukung perubahan (mis. KK terbaru)"),
    ),
    # BPJS Ketenagakerjaan
    ServiceData(
        agency="bpjs-ketenagakerjaan",
        slug="klaim-jht",
        name="Klaim Jaminan Hari Tua (JHT)",
        ticket_prefix="N",
        duration_minutes=30,
        requirements=(
            "Kartu peserta BPJS Ketenagakerjaan",
            KTP,
            "Kartu Keluarga",
            "Surat keterangan berhenti bekerja (paklaring) dari perusahaan",
            "Buku tabungan atas nama peserta",
        ),
    ),
    ServiceData(
        agency="bpjs-ketenagakerjaan",
        slug="pendaftaran-bpu",
        name="Pendaftaran Peserta Bukan Penerima Upah",
        ticket_prefix="NB",
        duration_minutes=10,
        requirements=(KTP, "Nomor telepon seluler dan alamat e-mail yang aktif"),
    ),
    # Imigrasi
    ServiceData(
        agency="imigrasi",
        slug="paspor-baru",
        name="Permohonan Paspor Baru",
        ticket_prefix="U",
        duration_minutes=30,
        requirements=(
            KTP,
            "Kartu Keluarga asli",
            "Akta kelahiran, ijazah, atau buku nikah asli",
            "Bukti pembayaran PNBP paspor",
        ),
        description=(
            "Wawancara, foto, dan sidik jari; bayar PNBP lebih dulu lewat aplikasi M-Paspor."
        ),
        booking_opens_days=60,
        walk_in_allowed=False,
        walk_in_daily_quota=0,
    ),
    ServiceData(
        agency="imigrasi",
        slug="penggantian-paspor",
        name="Penggantian Paspor (Habis Berlaku atau Penuh)",
        ticket_prefix="V",
        duration_minutes=20,
        requirements=(KTP, "Paspor lama", "Bukti pembayaran PNBP paspor"),
        booking_opens_days=60,
        walk_in_allowed=False,
        walk_in_daily_quota=0,
    ),
    # Direktorat Jenderal Pajak
    ServiceData(
        agency="djp",
        slug="aktivasi-npwp",
        name="Pendaftaran NPWP dan Pemadanan NIK",
        ticket_prefix="W",
        duration_minutes=15,
        requirements=(KTP, "Alamat e-mail dan nomor telepon seluler yang aktif"),
    ),
    ServiceData(
        agency="djp",
        slug="bantuan-spt-tahunan",
        name="Bantuan Pengisian SPT Tahunan (Coretax)",
        ticket_prefix="WS",
        duration_minutes=30,
        requirements=(
            KTP,
            "EFIN atau akun Coretax",
            "Bukti potong PPh 21 (formulir 1721-A1/A2)",
            "Daftar harta dan utang",
        ),
    ),
    # Bapenda Kota Bekasi
    ServiceData(
        agency="bapenda",
        slug="pelayanan-pbb",
        name="Pelayanan PBB-P2 (Salinan SPPT, Mutasi, Keberatan)",
        ticket_prefix="X",
        duration_minutes=15,
        requirements=(
            KTP,
            "SPPT PBB tahun terakhir",
            "Fotokopi sertipikat atau akta jual beli untuk mutasi",
        ),
    ),
    ServiceData(
        agency="bapenda",
        slug="validasi-bphtb",
        name="Validasi BPHTB",
        ticket_prefix="XB",
        duration_minutes=20,
        requirements=(
            "KTP-el pembeli dan penjual",
            "SSPD BPHTB yang telah dibayar",
            "SPPT PBB tahun berjalan",
            "Fotokopi sertipikat",
        ),
    ),
    # DPMPTSP
    ServiceData(
        agency="dpmptsp",
        slug="nib-oss",
        name="Pendampingan Nomor Induk Berusaha (NIB) OSS RBA",
        ticket_prefix="Y",
        duration_minutes=30,
        requirements=(
            KTP,
            "NPWP",
            "Alamat e-mail aktif",
            "Data usaha: alamat, bidang (KBLI), modal",
        ),
        description=(
            "Pendaftaran NIB di OSS RBA dibantu petugas, bagi usaha perseorangan dan badan."
        ),
    ),
    ServiceData(
        agency="dpmptsp",
        slug="persetujuan-bangunan-gedung",
        name="Persetujuan Bangunan Gedung (PBG)",
        ticket_prefix="YB",
        duration_minutes=45,
        requirements=(
            "KTP-el pemohon",
            "Bukti kepemilikan tanah (sertipikat)",
            "Gambar rencana arsitektur, struktur, dan utilitas",
            "Akun SIMBG",
        ),
        booking_opens_days=45,
        walk_in_allowed=False,
        walk_in_daily_quota=0,
    ),
    ServiceData(
        agency="dpmptsp",
        slug="izin-reklame",
        name="Izin Penyelenggaraan Reklame",
        ticket_prefix="YR",
        duration_minutes=30,
        requirements=(
            "KTP-el pemohon",
            "NIB",
            "Desain dan ukuran reklame",
            "Foto lokasi dan surat izin pemilik lahan",
        ),
    ),
    ServiceData(
        agency="dpmptsp",
        slug="konsultasi-perizinan",
        name="Konsultasi Perizinan Berusaha dan Non-Berusaha",
        ticket_prefix="YK",
        duration_minutes=20,
        requirements=(KTP, "Dokumen izin yang ingin dikonsultasikan (bila ada)"),
    ),
    # PDAM Tirta Patriot
    ServiceData(
        agency="pdam-tirta-patriot",
        slug="sambungan-baru-air",
        name="Pendaftaran Sambungan Baru Air Minum",
        ticket_prefix="Z",
        duration_minutes=20,
        requirements=(
            KTP,
            "Kartu Keluarga",
            "Denah lokasi rumah",
            "Rekening listrik atau SPPT PBB",
        ),
    ),
    ServiceData(
        agency="pdam-tirta-patriot",
        slug="pengaduan-pelanggan-air",
        name="Pengaduan dan Balik Nama Pelanggan Air",
        ticket_prefix="ZP",
        duration_minutes=15,
        requirements=(KTP, "Nomor pelanggan dan rekening air terakhir"),
    ),
    # Kemenag
    ServiceData(
        agency="kemenag",
        slug="pendaftaran-haji",
        name="Pendaftaran Haji Reguler",
        ticket_prefix="KH",
        duration_minutes=45,
        requirements=(
            "KTP-el sesuai domisili Kota Bekasi",
            "Kartu Keluarga",
            "Akta kelahiran, ijazah, atau buku nikah",
            "Bukti setoran awal BPIH dari bank penerima setoran",
            "Pas foto 3x4 latar putih (80% wajah) sepuluh lembar",
        ),
        booking_opens_days=90,
        walk_in_allowed=False,
        walk_in_daily_quota=0,
    ),
    ServiceData(
        agency="kemenag",
        slug="legalisasi-buku-nikah",
        name="Legalisasi Buku Nikah dan Duplikat Akta Nikah",
        ticket_prefix="KN",
        duration_minutes=15,
        requirements=(
            "Buku nikah asli dan fotokopinya",
            KTP,
            "Surat keterangan kehilangan bila duplikat",
        ),
    ),
    # Disnaker
    ServiceData(
        agency="disnaker",
        slug="kartu-pencari-kerja",
        name="Kartu Tanda Pencari Kerja (Kartu Kuning / AK-1)",
        ticket_prefix="AK",
        duration_minutes=15,
        requirements=(KTP, "Fotokopi ijazah terakhir", "Pas foto berwarna 3x4 dua lembar"),
        walk_in_daily_quota=40,
    ),
    # Dinkes
    ServiceData(
        agency="dinkes",
        slug="rekomendasi-izin-praktik",
        name="Rekomendasi Surat Izin Praktik Tenaga Kesehatan",
        ticket_prefix="DK",
        duration_minutes=30,
        requirements=(
            "STR yang masih berlaku",
            "Ijazah profesi",
            "Surat keterangan dari fasilitas kesehatan tempat praktik",
            "Pas foto 4x6 dua lembar",
        ),
    ),
    ServiceData(
        agency="dinkes",
        slug="sertifikat-laik-higiene",
        name="Sertifikat Laik Higiene Sanitasi (SLHS)",
        ticket_prefix="DH",
        duration_minutes=30,
        requirements=(
            "NIB",
            "Sertifikat pelatihan keamanan pangan penjamah makanan",
            "Denah dapur usaha",
        ),
    ),
    # Dishub
    ServiceData(
        agency="dishub",
        slug="uji-berkala-kendaraan",
        name="Pendaftaran Uji Berkala Kendaraan (KIR)",
        ticket_prefix="UK",
        duration_minutes=15,
        requirements=("STNK asli dan fotokopi", "Buku atau kartu uji lama", "KTP-el pemilik"),
    ),
    # BPN
    ServiceData(
        agency="bpn",
        slug="pengecekan-sertipikat",
        name="Pengecekan Sertipikat dan Informasi Pertanahan",
        ticket_prefix="BP",
        duration_minutes=20,
        requirements=("Sertipikat tanah asli", KTP, "Surat kuasa bila diwakilkan"),
    ),
    ServiceData(
        agency="bpn",
        slug="peralihan-hak-tanah",
        name="Pendaftaran Peralihan Hak (Balik Nama Sertipikat)",
        ticket_prefix="BH",
        duration_minutes=30,
        requirements=(
            "Sertipikat tanah asli",
            "Akta jual beli dari PPAT",
            "KTP-el penjual dan pembeli",
            "Bukti pelunasan BPHTB dan PPh",
        ),
    ),
    # Pengadilan Agama
    ServiceData(
        agency="pengadilan-agama",
        slug="informasi-perkara",
        name="Informasi dan Pendaftaran Perkara (e-Court)",
        ticket_prefix="PA",
        duration_minutes=30,
        requirements=(
            KTP,
            "Fotokopi buku nikah (perkara perceraian)",
            "Surat gugatan atau permohonan",
        ),
    ),
    # Kejaksaan
    ServiceData(
        agency="kejaksaan",
        slug="pengambilan-tilang",
        name="Pengambilan Barang Bukti Tilang",
        ticket_prefix="TL",
        duration_minutes=10,
        requirements=(
            "Surat tilang atau nomor register tilang",
            "Bukti pembayaran denda tilang",
            "KTP-el pelanggar atau surat kuasa",
        ),
        walk_in_daily_quota=40,
    ),
    # PLN
    ServiceData(
        agency="pln",
        slug="pasang-baru-listrik",
        name="Pasang Baru dan Tambah Daya Listrik",
        ticket_prefix="PL",
        duration_minutes=15,
        requirements=(KTP, "Denah lokasi", "Nomor ID pelanggan (tambah daya)"),
    ),
    # Bank bjb
    ServiceData(
        agency="bank-bjb",
        slug="rekening-bjb",
        name="Pembukaan Rekening dan Pembayaran Pajak Daerah",
        ticket_prefix="BJ",
        duration_minutes=15,
        requirements=(KTP, "NPWP (untuk rekening di atas ketentuan)", "Setoran awal"),
    ),
    # Taspen
    ServiceData(
        agency="taspen",
        slug="klaim-taspen",
        name="Klaim Tabungan Hari Tua dan Pensiun ASN",
        ticket_prefix="TS",
        duration_minutes=30,
        requirements=(
            "SK pensiun atau SK pemberhentian",
            KTP,
            "Kartu Taspen",
            "Buku tabungan atas nama peserta",
        ),
    ),
    # Pos Indonesia
    ServiceData(
        agency="pos-indonesia",
        slug="pengiriman-dokumen",
        name="Pengiriman Dokumen dan Paket",
        ticket_prefix="PS",
        duration_minutes=10,
        requirements=(KTP,),
        walk_in_daily_quota=50,
    ),
    # BNN
    ServiceData(
        agency="bnn",
        slug="skhpn",
        name="Surat Keterangan Hasil Pemeriksaan Narkotika (SKHPN)",
        ticket_prefix="BN",
        duration_minutes=30,
        requirements=(KTP_COPY, "Pas foto berwarna 4x6 dua lembar", "Bersedia tes urine di tempat"),
    ),
    # Dinsos
    ServiceData(
        agency="dinsos",
        slug="usulan-dtsen",
        name="Usulan dan Pembaruan Data Kesejahteraan Sosial (DTSEN)",
        ticket_prefix="DS",
        duration_minutes=15,
        requirements=(KTP, "Kartu Keluarga", "Surat keterangan tidak mampu dari kelurahan"),
    ),
    # Diskop UKM
    ServiceData(
        agency="diskop-ukm",
        slug="pendampingan-halal",
        name="Pendampingan Sertifikasi Halal Usaha Mikro",
        ticket_prefix="UM",
        duration_minutes=30,
        requirements=(KTP, "NIB", "Daftar bahan dan proses produksi", "Foto produk"),
    ),
)
